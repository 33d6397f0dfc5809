#!/bin/sh
# End-to-end test of `ting count`: help, JSON against the pabutools reference, --explain, the
# table, and exit codes for bad files (1, with FILE:LINE) and bad flags (2).
#   usage: count_cli_test.sh TING_BINARY SOURCE_DIR
set -u
ting=$1
data=$2/tests/data/pabulib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check DESCRIPTION COMMAND...
  desc=$1
  shift
  if "$@"; then echo "ok: $desc"; else echo "FAIL: $desc"; fail=1; fi
}

"$ting" count --help > "$tmp/help" 2>&1
check "--help exits 0" test $? -eq 0
check "--help shows usage" grep -q "usage: ting count FILE.pb --rule" "$tmp/help"

file=Poland_Wieliczka_2023_Green_Budget.pb
"$ting" count "$data/$file" --rule mes --utility cost --completion add1 --json > "$tmp/out.json"
check "mes add1 exits 0" test $? -eq 0
check "JSON matches the pabutools outcome (mes_cost_add1_nx)" python3 - "$tmp/out.json" "$data/expected/$file.json" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))["rules"]["mes_cost_add1_nx"]
assert out["rule"] == "mes_cost_add1_nx", out["rule"]
assert out["selected"] == want["selected"], (out["selected"], want["selected"])
assert out["total_cost"] == want["total_cost"], out["total_cost"]
assert len(out["projects"]) == 64
assert sum(1 for p in out["projects"] if p["selected"]) == len(want["selected"])
assert all({"id", "name", "cost", "votes", "selected"} <= set(p) for p in out["projects"])
PY

"$ting" count "$data/Poland_Katowice_2024_Murcki.pb" --rule greedy --json --explain > "$tmp/greedy.json"
check "greedy --explain JSON: money left when considered" python3 - "$tmp/greedy.json" "$data/expected/Poland_Katowice_2024_Murcki.pb.json" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))["rules"]["greedy"]
assert out["selected"] == want["selected"]
left = 444207
by_id = {p["id"]: p for p in out["projects"]}
for pid in out["selected"]:
    p = by_id[pid]
    assert p["explanation"]["money_left"] == str(left), (pid, p["explanation"])
    left -= int(p["cost"])
assert all("score" in p for p in out["projects"])
PY

"$ting" count "$data/Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb" --rule mes --json --explain > "$tmp/mes.json"
check "mes --explain JSON: price per supporter and effective support" python3 - "$tmp/mes.json" <<'PY'
import json, sys
from fractions import Fraction
out = json.load(open(sys.argv[1]))
for p in out["projects"]:
    e = p["explanation"]
    if p["selected"]:
        assert "price_per_supporter" in e and e["supporters_paid_full_price"] + e["supporters_paid_all_they_had_left"] > 0, p
        # What everyone paid adds up to the cost exactly.
        paid = Fraction(e["price_per_supporter"]) * e["supporters_paid_full_price"]
        paid += sum(Fraction(q["amount"]) * q["voters"] for q in e["partial_payments"])
        assert paid == Fraction(p["cost"]), (p["id"], paid)
        assert sum(q["voters"] for q in e["partial_payments"]) == e["supporters_paid_all_they_had_left"]
    else:
        assert "effective_support_percent" in e, p
PY

"$ting" count "$data/$file" --rule phragmen --tie cost > "$tmp/table.txt"
check "table output" grep -q "projects funded:" "$tmp/table.txt"

printf 'META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\np1;10\nVOTES\nvoter_id;vote\n1;p1,p7\n' > "$tmp/bad.pb"
"$ting" count "$tmp/bad.pb" --rule greedy > /dev/null 2> "$tmp/err"
check "bad file exits 1" test $? -eq 1
check "bad file message names FILE:LINE" grep -q "$tmp/bad.pb:10: vote for unknown project 'p7'" "$tmp/err"

"$ting" count "$data/$file" --rule borda > /dev/null 2>&1
check "unknown rule exits 2" test $? -eq 2
"$ting" count "$data/$file" --rule mes --frobnicate > /dev/null 2>&1
check "unknown flag exits 2" test $? -eq 2
"$ting" count --rule mes > /dev/null 2>&1
check "missing file exits 2" test $? -eq 2
"$ting" count "$data/$file" --rule greedy --completion add1 > /dev/null 2>&1
check "completion with greedy exits 2" test $? -eq 2
"$ting" count "$data/$file" --rule mes --utility points > /dev/null 2>&1
check "points utility on approval ballots exits 2" test $? -eq 2
exit $fail
