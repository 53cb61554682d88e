# A shell script of functions, traps, pipes, command substitution,
# subshells and here-documents: busybox sh runs it under fx86 and on the
# reference, and the outputs must be identical (tests/linux/processes.test.ts).
trap 'echo "exit trap: status $?"' EXIT

count_words() {
  tr -s ' ' '\n' | grep -v '^$' | wc -l
}

shout() {
  echo "$*" | tr 'a-z' 'A-Z'
}

histogram() {
  sort | uniq -c | sort -k1,1nr -k2 | head -n "$1"
}

fib() {
  a=0
  b=1
  i=0
  while [ "$i" -lt "$1" ]; do
    printf '%s ' "$a"
    t=$((a + b))
    a=$b
    b=$t
    i=$((i + 1))
  done
  echo
}

mkdir -p work/sub
cat > work/words.txt <<END
the quick brown fox jumps over the lazy dog
the dog sleeps and the fox runs
END
echo "one two three" > work/sub/more.txt

echo "words: $(count_words < work/words.txt)"
shout "pipes and functions"
echo "top words:"
tr ' ' '\n' < work/words.txt | histogram 3
fib 12

total=0
for f in work/words.txt work/sub/more.txt; do
  n=$(wc -w < "$f")
  total=$((total + n))
  echo "$f: $n"
done
echo "total: $total"

(
  cd work/sub || exit 1
  echo "in a subshell: $(pwd | sed 's|.*/||')"
  exit 7
)
echo "subshell said $?"

case "$(echo fx86 | cut -c1-2)" in
  fx) echo "case: matched" ;;
  *) echo "case: no match" ;;
esac

find work -type f | sort | while read -r f; do
  echo "file $f has $(wc -c < "$f") bytes"
done
seq 1 20 | awk '{ s += $1 } END { print "sum", s }'
echo "checksum: $(cat work/words.txt work/sub/more.txt | md5sum | cut -d' ' -f1)"
if grep -q lazy work/words.txt; then echo "grep found lazy"; fi
! grep -q cat work/words.txt && echo "no cat"
exit 3
