#!/usr/bin/env bash
# vast.ai template entrypoint for vespa-worker (the Docker image's ENTRYPOINT; docs/deploy.md).
#
#   start_server.sh [ARGS...]        ARGS are passed to the worker unchanged
#
# 1. Records the environment in /etc/environment (once), so vast.ai's SSH and Jupyter sessions see
#    the same variables as the worker.
# 2. When TLS is on (VESPA_USE_SSL, else PYWORKER_USE_SSL, else USE_SSL; default true here, as in
#    vast.ai's own start_server.sh): creates an RSA-2048 key and a certificate request with an IP
#    SAN, has vast.ai sign it (POST sign_cert?instance_id=$CONTAINER_ID), checks that the answer is
#    a PEM certificate for that key, and installs /etc/instance.crt and /etc/instance.key.
# 3. Replaces itself with vespa-worker (exec), so SIGTERM reaches the worker, which drains.
#
# Any failure before step 3 is reported to /worker_status/ of every REPORT_ADDR (the "error
# beacon", with the full field set and a JSON-escaped error_msg), then the script exits 1. Failures
# after step 3 are the worker's to report. Nothing is installed here: curl and openssl come with
# the image, and the beacon needs only bash and curl, so it works when the worker is broken.
#
# Variables read here besides the vast.ai ones (CONTAINER_ID, MASTER_TOKEN, REPORT_ADDR,
# PUBLIC_IPADDR, VAST_TCP_PORT_<port>):
#   VESPA_WORKER_BIN      worker executable                  /app/vespa-worker
#   VESPA_ENV_FILE        where the environment is recorded  /etc/environment
#   VESPA_SSL_CERT_FILE   certificate (PEM); the worker reads the same variable  /etc/instance.crt
#   VESPA_SSL_KEY_FILE    private key (PEM)                  /etc/instance.key
#   VESPA_SIGN_CERT_URL   vast.ai's signing call             https://console.vast.ai/api/v0/sign_cert/
#   VESPA_SIGN_CERT_RETRIES  curl retries of transient sign_cert failures  3
# The worker is started with VESPA_USE_SSL, VESPA_SSL_CERT_FILE and VESPA_SSL_KEY_FILE set to what
# was decided here, so the script and the worker never disagree.
#
# Differences from vast.ai's script (vast-protocol.md §3.6, §8.2, §11 item 7): sign_cert errors are
# errors (curl --fail-with-body) instead of being saved as the certificate; the answer is checked
# before it is installed; error_msg is JSON-escaped; the beacon goes to every REPORT_ADDR.
set -euo pipefail

readonly REPORT_VERSION="1.1.0"
readonly ENV_MARKER="recorded by vespa start_server.sh"
readonly DEFAULT_REPORT_ADDR="https://run.vast.ai"

log() { printf 'start_server: %s\n' "$*" >&2; }

# --- JSON ---------------------------------------------------------------------------------------

# Prints $1 as the inside of a JSON string: backslash, quote and every control character escaped.
# Invalid UTF-8 is dropped first (iconv -c) so the body is always valid JSON text.
json_escape() {
  local s="$1"
  if command -v iconv >/dev/null 2>&1; then
    s="$(printf '%s' "$s" | iconv -c -f UTF-8 -t UTF-8 2>/dev/null; printf x)"
    s="${s%x}"
  fi
  local LC_ALL=C
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  local code hex char escaped
  for ((code = 1; code < 32; code++)); do
    printf -v hex '%02x' "$code"
    printf -v char '%b' "\\x${hex}"
    printf -v escaped '\\u00%s' "$hex"
    s="${s//"$char"/$escaped}"
  done
  printf '%s' "$s"
}

# --- error beacon -------------------------------------------------------------------------------

worker_port() {
  local port="${VESPA_WORKER_PORT:-${PYWORKER_WORKER_PORT:-${WORKER_PORT:-3000}}}"
  [[ "$port" =~ ^[0-9]+$ ]] && printf '%s' "$port"
}

# The worker's public URL as the worker itself reports it (empty when vast.ai did not say).
public_url() {
  local port public_port scheme="http"
  port="$(worker_port)" || return 0
  [ -n "${PUBLIC_IPADDR:-}" ] || return 0
  local name="VAST_TCP_PORT_${port}"
  public_port="${!name:-}"
  [ -n "$public_port" ] || return 0
  [ "${use_ssl:-false}" = "true" ] && scheme="https"
  printf '%s://%s:%s' "$scheme" "$PUBLIC_IPADDR" "$public_port"
}

# The full /worker_status/ body (vast-protocol.md §4.1): every number 0, the error in error_msg.
status_json() {
  local message="$1" id="${CONTAINER_ID:-0}"
  [[ "$id" =~ ^[0-9]+$ ]] || id=0
  # The SDK's types: its float fields as JSON floats (0.0), its ints (and the capacities it sends as 0) as ints.
  printf '{"id": %s, "mtoken": "%s", "version": "%s", "loadtime": 0.0, "cur_load": 0.0, "rej_load": 0.0, ' \
    "$id" "$(json_escape "${MASTER_TOKEN:-}")" "$REPORT_VERSION"
  printf '"new_load": 0.0, "error_msg": "%s", "max_perf": 0.0, "cur_perf": 0.0, "cur_capacity": 0, ' \
    "$(json_escape "$message")"
  printf '"max_capacity": 0, "num_requests_working": 0, "num_requests_recieved": 0, '
  printf '"additional_disk_usage": 0.0, "working_request_idxs": [], "url": "%s"}' \
    "$(json_escape "$(public_url)")"
}

# REPORT_ADDR, comma-separated; on vast.ai without it, vast.ai's default (as the worker does).
report_addresses() {
  local raw="${REPORT_ADDR:-}"
  if [ -z "${raw//[[:space:],]/}" ]; then
    if [ -n "${CONTAINER_ID:-}${MASTER_TOKEN:-}${PUBLIC_IPADDR:-}" ]; then raw="$DEFAULT_REPORT_ADDR"; else return 0; fi
  fi
  local addr
  local -a parts
  IFS=',' read -r -a parts <<<"$raw"
  for addr in "${parts[@]}"; do
    addr="${addr#"${addr%%[![:space:]]*}"}"
    addr="${addr%"${addr##*[![:space:]]}"}"
    [ -n "$addr" ] && printf '%s\n' "${addr%/}"
  done
  return 0
}

# Logs the error, posts it to every autoscaler address, exits 1. Never logs the body (it holds
# MASTER_TOKEN).
fail() {
  local message="vespa start_server.sh failed: $*"
  log "ERROR: $*"
  local body addr sent=0 addresses
  body="$(status_json "$message")"
  addresses="$(report_addresses)"
  if [ -z "$addresses" ]; then
    log "no REPORT_ADDR: the error is not reported to an autoscaler"
  elif ! command -v curl >/dev/null 2>&1; then
    log "curl is missing: the error cannot be reported to ${addresses//$'\n'/, }"
  else
    while IFS= read -r addr; do
      # The body goes through stdin, not the command line, where other processes could read the token.
      if printf '%s' "$body" | curl -fsS -o /dev/null --connect-timeout 5 --max-time 15 --retry 2 -X POST \
        -H 'Content-Type: application/json' --data-binary @- "${addr}/worker_status/"; then
        sent=$((sent + 1))
      else
        log "could not report the error to ${addr}/worker_status/"
      fi
    done <<<"$addresses"
    log "error reported to ${sent} autoscaler address(es)"
  fi
  exit 1
}

# --- settings -----------------------------------------------------------------------------------

# The one USE_SSL rule, the worker's (WorkerOptionsLoader.ReadUseSsl; a test checks that the two agree): the first
# of VESPA_USE_SSL, PYWORKER_USE_SSL, USE_SSL that is not blank, surrounding whitespace ignored, read with Python's
# strtobool (any case). Unset: TLS on, as vast.ai's script; the decision is exported to the worker as VESPA_USE_SSL.
# Sets the global use_ssl.
read_use_ssl() {
  local name value
  for name in VESPA_USE_SSL PYWORKER_USE_SSL USE_SSL; do
    value="${!name:-}"
    value="${value#"${value%%[![:space:]]*}"}"
    value="${value%"${value##*[![:space:]]}"}"
    [ -n "$value" ] && break
  done
  if [ -z "$value" ]; then
    use_ssl="true"
    return 0
  fi
  case "${value,,}" in
    y | yes | t | true | on | 1) use_ssl="true" ;;
    n | no | f | false | off | 0) use_ssl="false" ;;
    *)
      use_ssl="false"
      fail "${name}='${value}' is not a boolean (true/false, yes/no, on/off, 1/0)"
      ;;
  esac
}

# --- step 1: /etc/environment -------------------------------------------------------------------

# pam_env's format: NAME="value" per line. Values holding a quote or a newline cannot be written
# in it and are left out (by name in the log); so are the shell's own per-session variables.
record_environment() {
  local file="$1"
  if [ -f "$file" ] && grep -qs -e 'VAST' -e "$ENV_MARKER" "$file"; then
    log "${file} already records the environment"
    return 0
  fi
  local tmp="${file}.vespa-$$" entry name value
  local -a skipped=()
  if ! {
    printf '# %s\n' "$ENV_MARKER"
    while IFS= read -r -d '' entry; do
      name="${entry%%=*}"
      value="${entry#*=}"
      [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
      case "$name" in HOME | SHLVL | PWD | OLDPWD | _ | TERM | HOSTNAME) continue ;; esac
      case "$value" in *$'\n'* | *'"'*) skipped+=("$name"); continue ;; esac
      printf '%s="%s"\n' "$name" "$value"
    done < <(env -0)
  } >"$tmp" 2>/dev/null || ! chmod 644 "$tmp" 2>/dev/null || ! mv -f "$tmp" "$file" 2>/dev/null; then
    rm -f "$tmp" 2>/dev/null || true
    # Not fatal: the worker does not need the file, only interactive sessions do.
    log "warning: could not write ${file} (not root?); SSH sessions will not see the worker's variables"
    return 0
  fi
  if [ "${#skipped[@]}" -gt 0 ]; then
    log "recorded the environment in ${file} (left out, their values hold a quote or newline: ${skipped[*]})"
  else
    log "recorded the environment in ${file}"
  fi
}

# --- step 2: TLS certificate --------------------------------------------------------------------

work_dir=""
cleanup() {
  if [ -n "$work_dir" ]; then rm -rf "$work_dir"; fi
  work_dir=""
}
trap cleanup EXIT

# The first bytes of a file, printable, for error messages.
excerpt() {
  head -c 300 "$1" 2>/dev/null | tr -d '\0' || true
}

# Installs $1 as $2 with mode $3 by a rename in $2's directory, so a reader never sees half a file.
install_file() {
  local source="$1" target="$2" mode="$3"
  mkdir -p "$(dirname "$target")" || return 1
  local tmp="${target}.vespa-$$"
  if ! { cp "$source" "$tmp" && chmod "$mode" "$tmp" && mv -f "$tmp" "$target"; }; then
    rm -f "$tmp"
    return 1
  fi
}

provision_certificate() {
  local cert_file="$1" key_file="$2"
  local sign_url="${VESPA_SIGN_CERT_URL:-https://console.vast.ai/api/v0/sign_cert/}"
  local retries="${VESPA_SIGN_CERT_RETRIES:-3}"
  [[ "$retries" =~ ^[0-9]+$ ]] || fail "VESPA_SIGN_CERT_RETRIES='${retries}' is not a number"

  [ -n "${CONTAINER_ID:-}" ] || fail "TLS is on (VESPA_USE_SSL=true) but CONTAINER_ID is not set: vast.ai signs the certificate for an instance id. Run on vast.ai, or set VESPA_USE_SSL=false."
  [[ "$CONTAINER_ID" =~ ^[0-9]+$ ]] || fail "CONTAINER_ID='${CONTAINER_ID}' is not an instance id (an integer)"
  command -v openssl >/dev/null 2>&1 || fail "TLS is on but openssl is not installed in the image (it is needed to create the key; nothing is installed at start)"
  command -v curl >/dev/null 2>&1 || fail "TLS is on but curl is not installed in the image (it is needed for sign_cert; nothing is installed at start)"

  work_dir="$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/vespa-tls.XXXXXX")" || fail "could not create a temporary directory"
  local cnf="${work_dir}/openssl-san.cnf" key="${work_dir}/instance.key" csr="${work_dir}/instance.csr"
  local crt="${work_dir}/instance.crt" out

  # The request vast.ai's script sends (vast-protocol.md §8.2): its subject after -subj, and the
  # placeholder IP SAN that vast.ai's signer is expected to replace with the instance's address.
  cat >"$cnf" <<'EOF'
[req]
default_bits = 2048
prompt = no
distinguished_name = dn
req_extensions = v3_req

[dn]
C = US
ST = CA
CN = pyworker.vast.ai

[v3_req]
basicConstraints = CA:FALSE
keyUsage = nonRepudiation, digitalSignature, keyEncipherment
subjectAltName = IP:0.0.0.0
EOF

  if ! out="$(umask 077 && openssl req -new -newkey rsa:2048 -nodes -sha256 -config "$cnf" \
    -keyout "$key" -out "$csr" 2>&1)"; then
    fail "openssl could not create the TLS key and certificate request: ${out}"
  fi

  local url="${sign_url}?instance_id=${CONTAINER_ID}"
  log "requesting the TLS certificate from ${sign_url} (instance ${CONTAINER_ID})"
  if ! out="$(curl -sS --fail-with-body --connect-timeout 10 --max-time 60 \
    --retry "$retries" --retry-connrefused --retry-max-time 120 \
    -X POST -H 'Content-Type: application/octet-stream' --data-binary "@${csr}" \
    -o "$crt" "$url" 2>&1)"; then
    local answer
    answer="$(excerpt "$crt")"
    fail "sign_cert failed (${url}): ${out}${answer:+; answer: ${answer}}"
  fi

  if ! grep -q -- '-----BEGIN CERTIFICATE-----' "$crt" || ! openssl x509 -in "$crt" -noout 2>/dev/null; then
    fail "sign_cert did not answer with a PEM certificate: $(excerpt "$crt")"
  fi
  local cert_key key_pub
  cert_key="$(openssl x509 -in "$crt" -noout -pubkey 2>&1)" || fail "cannot read the public key of the signed certificate: ${cert_key}"
  key_pub="$(openssl pkey -in "$key" -pubout 2>&1)" || fail "cannot read the generated key: ${key_pub}"
  [ "$cert_key" = "$key_pub" ] || fail "sign_cert answered a certificate for another key (subject: $(openssl x509 -in "$crt" -noout -subject 2>&1))"
  openssl x509 -in "$crt" -noout -checkend 0 >/dev/null 2>&1 \
    || fail "sign_cert answered an expired certificate ($(openssl x509 -in "$crt" -noout -enddate 2>&1))"

  # Key first: the worker reloads when the files change and wants a matching pair.
  install_file "$key" "$key_file" 600 || fail "could not write the TLS key to ${key_file}"
  install_file "$crt" "$cert_file" 644 || fail "could not write the TLS certificate to ${cert_file}"
  log "TLS certificate installed in ${cert_file} ($(openssl x509 -in "$cert_file" -noout -enddate 2>&1))"
  cleanup
}

# --- main ---------------------------------------------------------------------------------------

use_ssl="false"
worker_bin="${VESPA_WORKER_BIN:-/app/vespa-worker}"
env_file="${VESPA_ENV_FILE:-/etc/environment}"
cert_file="${VESPA_SSL_CERT_FILE:-${PYWORKER_SSL_CERT_FILE:-/etc/instance.crt}}"
key_file="${VESPA_SSL_KEY_FILE:-${PYWORKER_SSL_KEY_FILE:-/etc/instance.key}}"

read_use_ssl
worker_port >/dev/null || fail "the worker port '${VESPA_WORKER_PORT:-${PYWORKER_WORKER_PORT:-${WORKER_PORT:-}}}' is not a number"

record_environment "$env_file"
# vast.ai's SSH login attaches to tmux unless this file exists (as vast.ai's script does).
if [ -n "${HOME:-}" ]; then : >"${HOME}/.no_auto_tmux" 2>/dev/null || true; fi

if [ "$use_ssl" = "true" ]; then
  provision_certificate "$cert_file" "$key_file"
else
  log "TLS is off (VESPA_USE_SSL=false)"
fi

{ [ -f "$worker_bin" ] && [ -x "$worker_bin" ]; } || fail "the worker executable ${worker_bin} is missing or not executable (VESPA_WORKER_BIN)"

export VESPA_USE_SSL="$use_ssl" VESPA_SSL_CERT_FILE="$cert_file" VESPA_SSL_KEY_FILE="$key_file"
cleanup
trap - EXIT
log "starting ${worker_bin}"
# With execfail a failed exec returns here instead of ending the shell, so it is reported too.
shopt -s execfail
# shellcheck disable=SC2093 # the line after exec runs only when exec fails (execfail)
exec "$worker_bin" "$@"
fail "could not start ${worker_bin} (exec failed with status $?)"
