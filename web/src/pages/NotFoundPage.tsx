import { Link } from 'react-router';
import { Page } from '../ui/components';

export function NotFoundPage() {
  return (
    <Page title="Not found">
      <p>
        There is no page here. <Link to="/">Back to the catalog</Link>.
      </p>
    </Page>
  );
}
