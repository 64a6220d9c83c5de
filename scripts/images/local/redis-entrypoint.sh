#!/bin/sh
# Debian's Redis as the official redis image runs it: reachable from other pods without a password
# (protected mode off), arguments passed through.
exec redis-server --protected-mode no --dir /var/lib/redis "$@"
