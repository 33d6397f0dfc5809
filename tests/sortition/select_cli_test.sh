#!/bin/sh
# End-to-end test of `ting select`: help, LEXIMIN JSON against the reference (sf_fixture_150),
# the same panel from the same seed, infeasible quotas (exit 3, conflicts and the reference's
# relaxation), and exit codes for bad files (1, FILE:LINE) and bad flags (2).
#   usage: select_cli_test.sh TING_BINARY SOURCE_DIR
set -u
ting=$1
data=$2/tests/data/sortition
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check DESCRIPTION COMMAND...
  desc=$1
  shift
  if "$@"; then echo "ok: $desc"; else echo "FAIL: $desc"; fail=1; fi
}

"$ting" select --help > "$tmp/help" 2>&1
check "--help exits 0" test $? -eq 0
check "--help shows usage" grep -q "usage: ting select --people" "$tmp/help"

fx=$data/sf_fixture_150
run_fixture() {
  "$ting" select --people "$fx/people.csv" --categories "$fx/categories.csv" --panel 22 \
    --id-column nationbuilder_id --address-columns primary_address1,primary_zip --seed 20260101 --json
}
run_fixture > "$tmp/a.json" 2> "$tmp/a.err"
check "leximin exits 0" test $? -eq 0
run_fixture > "$tmp/b.json" 2> /dev/null
check "JSON against the reference and the properties" python3 - "$tmp/a.json" "$tmp/b.json" "$data/expected/sf_fixture_150.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
ref = json.load(open(sys.argv[3]))["leximin"]
for key in ["algorithm", "panel", "probabilities", "min_probability", "distribution", "seed", "inputs_sha256"]:
    assert key in a, key
assert a["algorithm"] == "leximin"
assert len(a["panel"]) == 22 and len(set(a["panel"])) == 22
assert a["seed"] == "20260101"
assert len(a["inputs_sha256"]) == 64
assert a["min_probability"] >= ref["min_selection_probability"] - 1e-5, a["min_probability"]
dev = max(abs(a["probabilities"][i] - p) for i, p in ref["marginals"].items())
assert dev <= 2e-3, dev
assert abs(sum(d["p"] for d in a["distribution"]) - 1) < 1e-6
assert abs(sum(a["probabilities"].values()) - 22) < 1e-5
assert any(sorted(d["panel"]) == sorted(a["panel"]) for d in a["distribution"]), "drawn panel not in the support"
assert a["panel"] == b["panel"] and a["inputs_sha256"] == b["inputs_sha256"], "same seed, different panel"
assert a["method"] == "relaxation" and 0 <= a["final_gap"] <= 1e-6, (a["method"], a["final_gap"])
PY

big=$data/se_synth_1000
"$ting" select --people "$big/people.csv" --categories "$big/categories.csv" --panel 60 --id-column id \
  --address-columns adress,postnummer --seed 20260101 --json > "$tmp/big.json" 2> "$tmp/big.err"
check "se_synth_1000 leximin exits 0" test $? -eq 0
check "se_synth_1000: minimum = the reference's MAXIMIN optimum, progress on stderr" python3 - "$tmp/big.json" "$data/expected/se_synth_1000.json" "$tmp/big.err" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); ref = json.load(open(sys.argv[2]))["maximin"]
assert abs(a["min_probability"] - ref["min_selection_probability"]) <= 1e-5, a["min_probability"]
assert abs(sum(a["probabilities"].values()) - 60) < 1e-5
assert a["method"] == "relaxation" and a["final_gap"] <= 1e-6
assert "lottery over" in open(sys.argv[3]).read()
PY

"$ting" select --people "$fx/people.csv" --categories "$fx/categories.csv" --panel 22 \
  --id-column nationbuilder_id --seed other-seed --json > "$tmp/c.json" 2> /dev/null
check "another seed still gives a panel of the distribution" python3 - "$tmp/c.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert any(sorted(d["panel"]) == sorted(c["panel"]) for d in c["distribution"])
PY

mm=$data/se_synth_malmo_208
"$ting" select --people "$mm/people.csv" --categories "$mm/target_categories.csv" --panel 42 --id-column id \
  --address-columns adress,postnummer --json > "$tmp/inf.json" 2> /dev/null
check "infeasible quotas exit 3" test $? -eq 3
check "infeasible JSON names conflicts and the reference's relaxation" python3 - "$tmp/inf.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert e["error"] == "infeasible"
assert any("Grundskola" in c for c in e["conflicts"]), e["conflicts"]
got = {(r["feature"], r["value"]): (r["min"], r["max"]) for r in e["relaxation"]}
want = {("utbildning", "Grundskola"): (6, 9), ("klimatoro", "Mycket orolig."): (20, 23),
        ("klimatoro", "Inte särskilt orolig."): (1, 6)}
assert got == want, got
PY

printf 'id,gender,leaning\np0,female,liberal\np1,female,green\n' > "$tmp/bad.csv"
"$ting" select --people "$tmp/bad.csv" --categories "$data/example_small_200/categories.csv" --panel 1 \
  --id-column id > /dev/null 2> "$tmp/bad.err"
check "unknown value exits 1" test $? -eq 1
check "unknown value names FILE:LINE" grep -q "bad.csv:3: unknown value 'green'" "$tmp/bad.err"

"$ting" select --people "$fx/people.csv" --panel 22 > /dev/null 2>&1
check "missing flags exit 2" test $? -eq 2
"$ting" select --people "$fx/people.csv" --categories "$fx/categories.csv" --panel 22 --id-column id \
  --algorithm best > /dev/null 2>&1
check "unknown algorithm exits 2" test $? -eq 2

exit $fail
