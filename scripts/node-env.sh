# Source it (`. scripts/node-env.sh`) to run this project on a supported Node.js (22+, 24 recommended)
# on a machine whose own is older: it fetches Node 24 from the npm registry (the node-<os>-<arch>
# package, the official build) once into ~/.cache/signin-system and puts it first on PATH. With a
# supported Node already on PATH it changes nothing but the headers native modules build against.
# POSIX sh, so it works from sh, bash and zsh; no network beyond the npm registry.

signin_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(signin_node_major)" -lt 22 ]; then
  signin_os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in
    x86_64 | amd64) signin_arch=x64 ;;
    aarch64 | arm64) signin_arch=arm64 ;;
    *) signin_arch=$(uname -m) ;;
  esac
  signin_cache="${XDG_CACHE_HOME:-$HOME/.cache}/signin-system/node-24-${signin_os}-${signin_arch}"
  if [ ! -x "$signin_cache/bin/node" ]; then
    echo "Fetching Node.js 24 (node-${signin_os}-${signin_arch}@24) from the npm registry into $signin_cache…" >&2
    signin_tmp=$(mktemp -d)
    if (cd "$signin_tmp" && npm pack --silent "node-${signin_os}-${signin_arch}@24" >/dev/null && tar xzf ./*.tgz); then
      mkdir -p "$(dirname "$signin_cache")"
      rm -rf "$signin_cache"
      mv "$signin_tmp/package" "$signin_cache"
    else
      echo "✖ Could not fetch Node.js 24 from the npm registry; install Node.js 22 or newer yourself." >&2
    fi
    rm -rf "$signin_tmp"
  fi
  if [ -x "$signin_cache/bin/node" ]; then
    PATH="$signin_cache/bin:$PATH"
    export PATH
  fi
fi

# Native modules (better-sqlite3) compile against the headers of the Node.js that will load them; an
# npm configured with another Node's headers (nodedir) would build a module that fails to load.
signin_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -f "$signin_prefix/include/node/node_version.h" ]; then
  npm_config_nodedir="$signin_prefix"
  export npm_config_nodedir
fi
echo "Node.js $(node --version) ($(command -v node))" >&2
unset signin_os signin_arch signin_cache signin_tmp signin_prefix
