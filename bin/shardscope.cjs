#!/usr/bin/env node
// The `shardscope` command: runs the bundled CLI (built by `npm install` / `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('shardscope: not built yet - run `npm install` (or `npm run build`) first\n');
  process.exit(2);
}
require(cli);
