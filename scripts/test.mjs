// `npm test`: makes sure the Debian packages the tests use are there (installs them as root with apt,
// else says exactly what is missing), builds, typechecks, then runs every test/**/*.test.ts with
// Node's test runner. Pass file or folder paths to run a subset: `npm test -- test/core`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// Debian package -> a file that shows it is installed.
const debianPackages = {
  chromium: '/usr/bin/chromium',
  'openssh-server': '/usr/sbin/sshd',
  'openssh-client': '/usr/bin/ssh-keygen',
  'python3-torch': '/usr/lib/python3/dist-packages/torch/__init__.py',
  'libopenblas0-pthread': '/usr/lib/x86_64-linux-gnu/openblas-pthread',
  'libopenblas-dev': '/usr/include/x86_64-linux-gnu/cblas.h',
  'poppler-utils': '/usr/bin/pdftoppm',
  iproute2: '/usr/sbin/ip',
  procps: '/usr/bin/pkill',
  // A real Slurm cluster for the Slurm tests (test/support/slurm-cluster).
  slurmctld: '/usr/sbin/slurmctld',
  slurmd: '/usr/sbin/slurmd',
  'slurm-client': '/usr/bin/sbatch',
  munge: '/usr/sbin/munged',
  // Its accounting (sacct): slurmdbd on a throwaway MariaDB.
  slurmdbd: '/usr/sbin/slurmdbd',
  'mariadb-server': '/usr/sbin/mariadbd',
};

function ensureDebianPackages() {
  const missing = Object.entries(debianPackages).filter(([, file]) => !existsSync(file)).map(([name]) => name);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    console.error(`npm test: missing Debian packages: ${missing.join(' ')} - install them with: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`npm test: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
}

function findTests(path) {
  if (!existsSync(path)) throw new Error(`no such test path: ${path}`);
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTests(join(path, e.name)) : e.name.endsWith('.test.ts') ? [join(path, e.name)] : []))
    .sort();
}

// Tests never touch the user's own history: every run of `npm test` gets a fresh data folder.
const testHome = mkdtempSync(join(tmpdir(), 'shardscope-test-home-'));

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, SHARDSCOPE_HOME: testHome } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

ensureDebianPackages();
run(process.execPath, ['scripts/build.mjs']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-b']);
const selected = process.argv.slice(2);
const files = (selected.length ? selected : ['test']).flatMap((p) => findTests(join(root, p))).map((f) => relative(root, f));
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', ...files]);
