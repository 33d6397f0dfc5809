#!/usr/bin/env bash
# Installs what Ting needs on Debian 12, and nothing that is already there.
# Used by `make run`, `make test` and CI; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake make pkg-config ca-certificates
  libboost-dev libboost-program-options-dev   # Beast/Asio (header-only) + CLI parsing
  libsqlite3-dev libsodium-dev zlib1g-dev nlohmann-json3-dev libgmp-dev
  libhowardhinnant-date-dev tzdata                # local dates in the organisation's time zone
  libkainjow-mustache-dev libcmark-dev           # templates (escape by default), safe Markdown
  coinor-libclp-dev coinor-libcbc-dev            # LP/MIP for assembly selection
  libcairo2-dev libpango1.0-dev libqrencode-dev  # voting-code letters: PDF pages with a QR code
  poppler-utils                                  # tests read the letters (pdftotext, pdftoppm)
  libcurl4-openssl-dev libssl-dev                # outgoing mail (SMTP), eID sign-in (OpenID Connect)
  python3-aiosmtpd python3-cryptography          # tests: a real SMTP server, a test OpenID provider
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium nodejs npm                            # browser tests (playwright-core drives chromium)
  nginx-light wrk curl                                # bench/ reference and load generator
  clang libclang-rt-14-dev                       # libFuzzer targets
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm ships with Debian's nodejs on some images; only ask for npm when there is no npm at all.
if command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ "$p" == npm || "$p" == nodejs ]] || tmp+=("$p"); done; missing=("${tmp[@]+"${tmp[@]}"}")
fi
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Browser-test driver: playwright-core (it never downloads a browser; we use Debian's chromium)
# and axe-core (the accessibility check run on the pages the tests visit).
if [[ ! -d tests/browser/node_modules/playwright-core || ! -d tests/browser/node_modules/axe-core ]]; then
  (cd tests/browser && npm install --no-audit --no-fund --loglevel=error)
fi
