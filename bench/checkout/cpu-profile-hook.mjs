// Loaded with `--import` through NODE_OPTIONS (which refuses `--cpu-prof`): samples this process's
// CPU from its start and writes `$CPU_PROFILE_DIR/<pid>.cpuprofile` when it exits. The inspector
// session of the same thread answers synchronously, so the profile is complete inside 'exit'.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error)
      writeFileSync(
        join(process.env.CPU_PROFILE_DIR, `${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
  });
});
