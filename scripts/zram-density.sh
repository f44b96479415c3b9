#!/usr/bin/env bash
# The Linux kernel's zsmalloc (inside zram) on the same bytes as ZsmallocDensityTest: the reference its densities
# are compared with (zsmalloc/README.md). Writes FILE into /dev/zram0, then frees every other 4 KiB page (pages 1,
# 3, 5, ...: the ones ZsmallocDensityTest and the study free) with a discard, then compacts, and prints the densities
# (compressed bytes / bytes of pool pages) after each step.
#
#   sudo scripts/zram-density.sh FILE [ALGORITHM]      ALGORITHM: lz4 (default) or any in comp_algorithm
#
# Needs root and a zram that nothing uses: it refuses a /dev/zram0 that is initialised (disksize set), mounted or
# a swap device, and resets the device when it is done.
set -euo pipefail

die() { echo "zram-density: $*" >&2; exit 2; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 FILE [ALGORITHM]"
FILE=$1
ALGO=${2:-lz4}
DEV=/dev/zram0
SYS=/sys/block/zram0
PAGE=4096

[ -f "$FILE" ] && [ -r "$FILE" ] || die "'$FILE' is not a readable file"
[ "$(id -u)" -eq 0 ] || die "needs root (it configures $DEV)"
if [ ! -d "$SYS" ]; then
  modprobe zram num_devices=1 2>/dev/null || die "no $SYS and 'modprobe zram' failed: this kernel has no zram"
fi
grep -q "^$DEV " /proc/swaps && die "$DEV is a swap device; refusing to touch it"
grep -q "^$DEV " /proc/mounts && die "$DEV is mounted; refusing to touch it"
[ "$(cat "$SYS/disksize")" = 0 ] || die "$DEV is initialised (disksize $(cat "$SYS/disksize")): something uses it.
  If nothing does (an earlier run interrupted), reset it first: echo 1 > $SYS/reset"
grep -qw "$ALGO" "$SYS/comp_algorithm" || die "algorithm '$ALGO' not offered by this kernel: $(cat "$SYS/comp_algorithm")"

SIZE=$(stat -c %s "$FILE")
PAGES=$((SIZE / PAGE))
[ "$PAGES" -ge 2 ] || die "'$FILE' holds fewer than two whole 4 KiB pages"
BYTES=$((PAGES * PAGE))
trap 'echo 1 > "$SYS/reset"' EXIT

echo "$ALGO" > "$SYS/comp_algorithm"
echo $(( (BYTES + (1 << 20)) )) > "$SYS/disksize"

# mm_stat: orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages pages_compacted huge_pages
stat_line() {
  local orig compr used _limit _max same compacted huge _rest
  read -r orig compr used _limit _max same compacted huge _rest < "$SYS/mm_stat"
  [ "$used" -gt 0 ] || die "mm_stat shows no memory in use after the $1"
  awk -v what="$1" -v o="$orig" -v c="$compr" -v u="$used" -v s="$same" -v k="$compacted" -v h="$huge" 'BEGIN {
    printf "  %-32s orig=%d compr=%d mem_used=%d density=%.4f same=%d huge=%d pages_compacted=%d\n",
      what, o, c, u, c / u, s, h, k }'
}

now() { date +%s.%N; }
t0=$(now)
dd if="$FILE" of="$DEV" bs=1M count="$BYTES" iflag=fullblock,count_bytes oflag=direct status=none
t1=$(now)
dd if="$DEV" of=/dev/null bs=1M count="$BYTES" iflag=direct,count_bytes status=none
t2=$(now)
read -r orig compr _ < "$SYS/mm_stat"
awk -v f="$(basename "$FILE")" -v a="$ALGO" -v p="$PAGES" -v o="$orig" -v c="$compr" -v b="$BYTES" \
    -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
  printf "zram %s %s: %d pages, ratio %.3f, write %.0f MB/s, read %.0f MB/s\n",
    a, f, p, o / c, b / 1e6 / (t1 - t0), b / 1e6 / (t2 - t1) }'
stat_line "after writing every page"

# one BLKDISCARD ioctl per freed page, from one process (perl-base is in every Debian)
perl -e 'my ($dev, $pages, $page) = @ARGV;
  open(my $fd, "+<", $dev) or die "open $dev: $!\n";
  for (my $i = 1; $i < $pages; $i += 2) {
    ioctl($fd, 0x1277, pack("QQ", $i * $page, $page)) or die "BLKDISCARD at page $i: $!\n";
  }' "$DEV" "$PAGES" "$PAGE"
stat_line "after freeing every other page"

echo 1 > "$SYS/compact"
stat_line "after compaction"
