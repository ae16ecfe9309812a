#!/usr/bin/env bash
# run.sh — mutation testing of the guarantees (docs/chaos.md): plants each named bug of
# tests/mutation/mutants/*.mut, one at a time, in a scratch copy of the tree (never the working
# tree), builds it, runs the tests that must catch it, and reports which mutants survive.
#
# usage: tests/mutation/run.sh [--rev REV] [--all] [--without REGEX] [--jobs N] [--keep] [--list]
#                              [--check] [NAME...]
#   --rev REV   copy the tree of commit REV (git archive); default: the working tree as it is
#               (tracked and untracked files, not ignored ones), so uncommitted tests count
#   --all       run the whole suite (all but the kill loop) against every mutant, not only the
#               tests its file names
#   --without REGEX  leave out the tests matching REGEX (ctest -E): would the rest catch it?
#   --jobs N    build and ctest parallelism (default: nproc)
#   --keep      keep the scratch directory (/tmp/cii-mutation-*)
#   --list      list the mutants and exit
#   --check     only check that every mutant still applies (seconds: no build, no test)
#   NAME...     only these mutants (file names without .mut)
# Exit 0 when every mutant is killed, 1 when one survives or no longer applies, 2 on setup failure.
#
# A mutant file: '#' comment lines (the first says what bug it plants), 'tests: CTEST-REGEX', then
# for each change 'file: PATH' and blocks '<<<<' FIND '====' REPLACE '>>>>'. FIND must occur
# exactly once in the file, or the mutant is reported STALE (the code moved: update the mutant).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mutants_dir="$root/tests/mutation/mutants"
rev=""; all=0; without=""; keep=0; list=0; check=0; jobs=$(nproc 2>/dev/null || echo 2)
names=()
while [ $# -gt 0 ]; do
  case $1 in
    --rev) rev=${2:?--rev needs a commit}; shift 2 ;;
    --all) all=1; shift ;;
    --without) without=${2:?--without needs a regex}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --keep) keep=1; shift ;;
    --list) list=1; shift ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in "$mutants_dir"/*.mut; do names+=("$(basename "$f" .mut)"); done
fi
for n in "${names[@]}"; do
  [ -f "$mutants_dir/$n.mut" ] || { echo "run.sh: no mutant $n in $mutants_dir" >&2; exit 2; }
done
if [ $list -eq 1 ]; then
  for n in "${names[@]}"; do
    printf '%-26s %s\n' "$n" "$(sed -n '1s/^# [^ ]* — //p' "$mutants_dir/$n.mut")"
  done
  exit 0
fi

tests_of() { sed -n 's/^tests: *//p' "$mutants_dir/$1.mut" | head -n 1; }

# apply MUTANT SRC: plants the mutant's changes in SRC; prints the files it touched.
# Exit 3 when a FIND is missing or not unique.
apply() {
  perl -e '
    use strict; use warnings;
    my ($mutant, $src) = @ARGV;
    open (my $in, "<", $mutant) or die "cannot read $mutant\n";
    my ($file, $mode, $find, $replace, %touched) = ("", "", "", "");
    my @changes;
    while (my $line = <$in>) {
      if ($mode eq "") {
        next if $line =~ /^#/ || $line =~ /^tests:/ || $line =~ /^\s*$/;
        if ($line =~ /^file:\s*(\S+)/) { $file = $1; next; }
        if ($line eq "<<<<\n") { $mode = "find"; $find = ""; $replace = ""; next; }
        die "$mutant: unexpected line: $line";
      }
      if ($mode eq "find" && $line eq "====\n") { $mode = "replace"; next; }
      if ($mode eq "replace" && $line eq ">>>>\n") {
        die "$mutant: a change before any file:\n" unless $file;
        push @changes, [$file, $find, $replace]; $mode = ""; next;
      }
      if ($mode eq "find") { $find .= $line } else { $replace .= $line }
    }
    die "$mutant: unterminated block\n" if $mode ne "";
    for my $c (@changes) {
      my ($path, $f, $r) = @$c;
      open (my $fh, "<", "$src/$path") or do { print STDERR "STALE: no file $path\n"; exit 3 };
      local $/; my $text = <$fh>; close $fh;
      my $count = () = $text =~ /\Q$f\E/g;
      if ($count != 1) {
        print STDERR "STALE: $path: the text to replace occurs $count times:\n$f";
        exit 3;
      }
      $text =~ s/\Q$f\E/$r/;
      open (my $out, ">", "$src/$path") or die "cannot write $path\n";
      print $out $text; close $out;
      $touched{$path} = 1;
    }
    print "$_\n" for sort keys %touched;
  ' "$1" "$2"
}

scratch=$(mktemp -d /tmp/cii-mutation-XXXXXX)
src=$scratch/src; pristine=$scratch/pristine; build=$scratch/build
cleanup() { if [ $keep -eq 0 ]; then rm -rf "$scratch"; else echo "run.sh: kept $scratch"; fi; }
trap cleanup EXIT
mkdir -p "$src"
if [ -n "$rev" ]; then
  git -C "$root" archive "$rev" | tar -x -C "$src" || { echo "run.sh: git archive $rev failed" >&2; exit 2; }
  what="commit $(git -C "$root" rev-parse --short "$rev")"
else
  (cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -x -C "$src" \
    || { echo "run.sh: copying the working tree failed" >&2; exit 2; }
  what="the working tree at $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ' + local changes')"
fi
cp -a "$src" "$pristine"
# Tests a mutant fails keep their directories for a look: keep them in the scratch directory
export CII_IT_TMP=$scratch/tmp
mkdir -p "$CII_IT_TMP"
echo "run.sh: ${#names[@]} mutants on $what, in $scratch"
if [ $check -eq 1 ]; then
  stale=0
  for n in "${names[@]}"; do
    if touched=$(apply "$mutants_dir/$n.mut" "$src" 2>"$scratch/$n.log"); then
      printf '%-26s applies\n' "$n"
      for path in $touched; do cp "$pristine/$path" "$src/$path"; done
    else
      stale=$((stale + 1)); printf '%-26s STALE      %s\n' "$n" "$(head -n 1 "$scratch/$n.log")"
    fi
  done
  [ $stale -eq 0 ]; exit
fi

# The baseline: the unmutated copy builds and passes every test a mutant will be judged by.
if [ $all -eq 1 ]; then
  select_args=(-LE chaos)
else
  regex=$(for n in "${names[@]}"; do tests_of "$n"; done | paste -sd '|')
  select_args=(-R "$regex")
fi
exclude=()
[ -n "$without" ] && exclude=(-E "$without")
t0=$(date +%s)
if ! cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$scratch/configure.log" 2>&1 \
   || ! cmake --build "$build" -j "$jobs" >"$scratch/build.log" 2>&1; then
  tail -n 30 "$scratch/configure.log" "$scratch/build.log"
  echo "run.sh: the unmutated copy does not build" >&2; exit 2
fi
# A test that fails once and passes on its second run is taken as passed (--repeat until-pass:2),
# here and for the mutants: a mutant counts as killed only by a test that fails twice in a row.
repeat=(--repeat until-pass:2)
if ! ctest --test-dir "$build" "${select_args[@]}" "${exclude[@]}" "${repeat[@]}" -j "$jobs" --timeout 300 </dev/null >"$scratch/baseline.log" 2>&1; then
  grep -E '^\s*[0-9]+ - |tests passed' "$scratch/baseline.log"
  echo "run.sh: the unmutated copy fails its tests (see $scratch/baseline.log, --keep to keep it)" >&2
  exit 2
fi
echo "run.sh: baseline built and passed in $(( $(date +%s) - t0 )) s"

killed=0; survived=0; stale=0; stillborn=0
report=()
for n in "${names[@]}"; do
  t1=$(date +%s)
  log="$scratch/$n.log"
  if ! touched=$(apply "$mutants_dir/$n.mut" "$src" 2>"$log"); then
    stale=$((stale + 1)); report+=("$(printf '%-26s STALE      %s' "$n" "$(head -n 1 "$log")")")
    continue
  fi
  if [ $all -eq 1 ]; then args=(-LE chaos); else args=(-R "$(tests_of "$n")"); fi
  if ! cmake --build "$build" -j "$jobs" >>"$log" 2>&1; then
    stillborn=$((stillborn + 1)); result="STILLBORN  (does not build: fix the mutant)"
  elif ctest --test-dir "$build" "${args[@]}" "${exclude[@]}" "${repeat[@]}" -j "$jobs" --timeout 300 </dev/null >>"$log" 2>&1; then
    survived=$((survived + 1)); result="SURVIVED   every test passed: ${args[*]}"
  else
    killed=$((killed + 1))
    result="killed     by $(grep -E '^\s+[0-9]+ - ' "$log" | sed -E 's/^\s+[0-9]+ - ([^ ]+).*/\1/' | grep -v '^pg_' | paste -sd ' ')"
  fi
  report+=("$(printf '%-26s %s (%d s)' "$n" "$result" $(( $(date +%s) - t1 )))")
  echo "${report[-1]}"
  # Back to the unmutated files (a new mtime, so the next build compiles them again)
  for path in $touched; do cp "$pristine/$path" "$src/$path"; done
done

echo
echo "=== mutants: $killed killed, $survived survived, $stale stale, $stillborn stillborn ($(( $(date +%s) - t0 )) s) ==="
printf '%s\n' "${report[@]}"
[ $survived -eq 0 ] && [ $stale -eq 0 ] && [ $stillborn -eq 0 ]
