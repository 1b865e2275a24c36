;; The byte loops of v1's form bodies (base64 inside application/x-www-form-urlencoded), in
;; WebAssembly with SIMD. In JavaScript these loops run at about 5 ns a byte, and the base64 text
;; they work on is garbage the size of the body. Here the runner's bytes become url-encoded base64
;; 12 at a time, their escapes spread out by a table; the server's form decoding skips 16-byte
;; blocks with nothing to decode in one compare, and its base64 decoding checks and decodes 16
;; characters at a time. Compiled into form-kernels-wasm.ts by `npm run build:wasm`;
;; js-form-codec.ts does the same work in JavaScript and is the reference the tests hold these to.
;;
;; Memory: the tables take the first 9216 bytes (those from 1024 on are filled by init, which the
;; caller runs once); callers put their data from byte 16384 on (FIRST_FREE in
;; wasm-form-codec.ts), input first and output after it, with 16 bytes of room after each, which
;; a 4-byte or 16-byte access may reach past the end.
(module
  (memory (export "memory") 1)

  ;; Sextet s's character in url-encoded base64, 4 bytes each: "+" is "%2B"; "/" stays "/" (a form
  ;; value may hold it as it is, and it is 1 in 64 characters: escaping it cost the server as much
  ;; decoding as "+" does).
  (data (i32.const 0)
    "A\00\00\00B\00\00\00C\00\00\00D\00\00\00E\00\00\00F\00\00\00G\00\00\00H\00\00\00I\00\00\00J\00\00\00K\00\00\00L\00\00\00M\00\00\00N\00\00\00O\00\00\00P\00\00\00"
    "Q\00\00\00R\00\00\00S\00\00\00T\00\00\00U\00\00\00V\00\00\00W\00\00\00X\00\00\00Y\00\00\00Z\00\00\00a\00\00\00b\00\00\00c\00\00\00d\00\00\00e\00\00\00f\00\00\00"
    "g\00\00\00h\00\00\00i\00\00\00j\00\00\00k\00\00\00l\00\00\00m\00\00\00n\00\00\00o\00\00\00p\00\00\00q\00\00\00r\00\00\00s\00\00\00t\00\00\00u\00\00\00v\00\00\00"
    "w\00\00\00x\00\00\00y\00\00\00z\00\00\000\00\00\001\00\00\002\00\00\003\00\00\004\00\00\005\00\00\006\00\00\007\00\00\008\00\00\009\00\00\00%2B\00/\00\00\00")
  ;; How many of those 4 bytes are the character: 1, or 3 for "%2B".
  (data (i32.const 256)
    "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01"
    "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\03\01")
  ;; Each byte's value as a hex digit, or 0xff.
  (data (i32.const 320)
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\00\01\02\03\04\05\06\07\08\09\ff\ff\ff\ff\ff\ff"
    "\ff\0a\0b\0c\0d\0e\0f\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\ff\0a\0b\0c\0d\0e\0f\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff")

  ;; Writes sextet $s's character at $at; returns where the next one goes.
  (func $put (param $at i32) (param $s i32) (result i32)
    (i32.store (local.get $at) (i32.load (i32.shl (local.get $s) (i32.const 2))))
    (i32.add (local.get $at) (i32.load8_u offset=256 (local.get $s))))

  ;; "%3D", the escaped "=" of base64's padding, at $at; returns where the next one goes.
  (func $putPadding (param $at i32) (result i32)
    (i32.store (local.get $at) (i32.const 0x443325))
    (i32.add (local.get $at) (i32.const 3)))

  ;; The tables of encodeForm's escapes, filled by init: for each 8-bit mask m of which of 8
  ;; characters are "+", the swizzle that spreads them out (at 1024 + 16 m: lane i of the
  ;; 8 characters, or 8 + i for character i's letter "B", or 255 for nothing) and what is
  ;; laid over it (at 5120 + 16 m: "%2" before each letter). Only masks of at most 4 escapes fit
  ;; 16 lanes; the others are not filled, and encodeForm never reads them.
  (func (export "init")
    (local $m i32) (local $i i32) (local $at i32) (local $spread i32) (local $over i32)
    (block $masksDone
      (loop $masks
        (br_if $masksDone (i32.ge_u (local.get $m) (i32.const 256)))
        (local.set $spread (i32.add (i32.const 1024) (i32.shl (local.get $m) (i32.const 4))))
        (local.set $over (i32.add (i32.const 5120) (i32.shl (local.get $m) (i32.const 4))))
        (v128.store (local.get $spread) (i8x16.splat (i32.const 255)))
        (v128.store (local.get $over) (v128.const i32x4 0 0 0 0))
        (if (i32.le_u (i32.popcnt (local.get $m)) (i32.const 4))
          (then
            (local.set $at (i32.const 0))
            (local.set $i (i32.const 0))
            (block $charsDone
              (loop $chars
                (br_if $charsDone (i32.ge_u (local.get $i) (i32.const 8)))
                (if (i32.and (i32.shr_u (local.get $m) (local.get $i)) (i32.const 1))
                  (then
                    (i32.store8 offset=2 (i32.add (local.get $spread) (local.get $at)) (i32.add (local.get $i) (i32.const 8)))
                    (i32.store16 (i32.add (local.get $over) (local.get $at)) (i32.const 0x3225))
                    (local.set $at (i32.add (local.get $at) (i32.const 3))))
                  (else
                    (i32.store8 (i32.add (local.get $spread) (local.get $at)) (local.get $i))
                    (local.set $at (i32.add (local.get $at) (i32.const 1)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $chars)))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $masks))))

  ;; The n bytes at src as url-encoded base64 at dst (what encodeURIComponent makes of their
  ;; base64); returns its length. 12 bytes at a time become 16 characters with SIMD; the last
  ;; 11 or fewer go one group of 3 at a time through the table, then the padding.
  (func (export "encodeForm") (param $src i32) (param $n i32) (param $dst i32) (result i32)
    (local $end i32) (local $w i32) (local $at i32) (local $s i32) (local $rest i32)
    (local $blocksEnd i32) (local $x v128) (local $sextets v128) (local $chars v128)
    (local $mask i32) (local $from i32) (local $escape i32) (local $letters v128) (local $half i32)
    (local.set $at (local.get $dst))
    (local.set $rest (i32.rem_u (local.get $n) (i32.const 3)))
    (local.set $end (i32.add (local.get $src) (i32.sub (local.get $n) (local.get $rest))))
    (local.set $blocksEnd (i32.add (local.get $src) (i32.sub (local.get $n) (i32.rem_u (local.get $n) (i32.const 12)))))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $src) (local.get $blocksEnd)))
        ;; Each group of 3 bytes a, b, c as the 32-bit lane a << 16 | b << 8 | c (the load's
        ;; last 4 bytes are the next block's, or room past the input: not used).
        (local.set $x
          (i8x16.swizzle (v128.load (local.get $src))
            (v128.const i8x16 2 1 0 255 5 4 3 255 8 7 6 255 11 10 9 255)))
        ;; Its four sextets in the lane's bytes, the first in the low one.
        (local.set $sextets
          (v128.or
            (v128.or
              (i32x4.shr_u (local.get $x) (i32.const 18))
              (v128.and (i32x4.shr_u (local.get $x) (i32.const 4)) (v128.const i32x4 0x3f00 0x3f00 0x3f00 0x3f00)))
            (v128.or
              (v128.and (i32x4.shl (local.get $x) (i32.const 10)) (v128.const i32x4 0x3f0000 0x3f0000 0x3f0000 0x3f0000))
              (v128.and (i32x4.shl (local.get $x) (i32.const 24)) (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000)))))
        ;; A sextet's character is the sextet plus an offset for its range: below 26 (A-Z) slot
        ;; 13, 26 to 51 (a-z) slot 0, and 52 to 63 (0-9, "+", "/") slots 1 to 12.
        (local.set $chars
          (i8x16.add (local.get $sextets)
            (i8x16.swizzle
              (v128.const i8x16 71 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -19 -16 65 0 0)
              (v128.bitselect
                (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)
                (i8x16.sub_sat_u (local.get $sextets) (v128.const i8x16 51 51 51 51 51 51 51 51 51 51 51 51 51 51 51 51))
                (i8x16.lt_u (local.get $sextets) (v128.const i8x16 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26))))))
        (local.set $src (i32.add (local.get $src) (i32.const 12)))
        ;; "+" (sextet 62) becomes "%2B".
        (local.set $mask
          (i8x16.bitmask (i8x16.eq (local.get $sextets) (v128.const i8x16 62 62 62 62 62 62 62 62 62 62 62 62 62 62 62 62))))
        (if (i32.and
              (i32.le_u (i32.popcnt (i32.and (local.get $mask) (i32.const 0xff))) (i32.const 4))
              (i32.le_u (i32.popcnt (i32.shr_u (local.get $mask) (i32.const 8))) (i32.const 4)))
          (then
            ;; Each half of 8 characters, with their letters ("+" + 0x17 is "B"), spread out by
            ;; its mask's table entry, "%2" laid over: no branch per escape.
            (local.set $letters (i8x16.add (local.get $chars) (v128.const i8x16 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17 0x17)))
            (local.set $half (i32.shl (i32.and (local.get $mask) (i32.const 0xff)) (i32.const 4)))
            (v128.store (local.get $at)
              (v128.or
                (i8x16.swizzle
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $chars) (local.get $letters))
                  (v128.load offset=1024 (local.get $half)))
                (v128.load offset=5120 (local.get $half))))
            (local.set $at (i32.add (local.get $at) (i32.add (i32.const 8) (i32.shl (i32.popcnt (local.get $half)) (i32.const 1)))))
            (local.set $half (i32.shl (i32.shr_u (local.get $mask) (i32.const 8)) (i32.const 4)))
            (v128.store (local.get $at)
              (v128.or
                (i8x16.swizzle
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $chars) (local.get $letters))
                  (v128.load offset=1024 (local.get $half)))
                (v128.load offset=5120 (local.get $half))))
            (local.set $at (i32.add (local.get $at) (i32.add (i32.const 8) (i32.shl (i32.popcnt (local.get $half)) (i32.const 1)))))
            (br $blocks)))
        ;; More than 4 escapes in a half (bytes dense in them): the characters from $from up to
        ;; each escape are stored (shifted down to lane 0), then the escape over the next lanes.
        (local.set $from (i32.const 0))
        (block $escapesDone
          (loop $escapes
            (br_if $escapesDone (i32.eqz (local.get $mask)))
            (local.set $escape (i32.ctz (local.get $mask)))
            (v128.store (local.get $at)
              (i8x16.swizzle (local.get $chars)
                (i8x16.add (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (i8x16.splat (local.get $from)))))
            (local.set $at (i32.add (local.get $at) (i32.sub (local.get $escape) (local.get $from))))
            (i32.store (local.get $at)
              (i32.or (i32.const 0x3225) (i32.shl (i32.add (i32.load8_u (local.get $at)) (i32.const 0x17)) (i32.const 16))))
            (local.set $at (i32.add (local.get $at) (i32.const 3)))
            (local.set $from (i32.add (local.get $escape) (i32.const 1)))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $escapes)))
        (v128.store (local.get $at)
          (i8x16.swizzle (local.get $chars)
            (i8x16.add (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (i8x16.splat (local.get $from)))))
        (local.set $at (i32.add (local.get $at) (i32.sub (i32.const 16) (local.get $from))))
        (br $blocks)))
    ;; Whole groups of 3 left: a group is read as one little-endian word w, its bytes a, b, c
    ;; from the low end (the word's fourth byte is not used). $put is written out four times:
    ;; Node 20's V8 does not inline WebAssembly calls, and a call per sextet made it 3x slower.
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $w (i32.load (local.get $src)))
        ;; a >> 2
        (local.set $s (i32.shr_u (i32.and (local.get $w) (i32.const 0xff)) (i32.const 2)))
        (i32.store (local.get $at) (i32.load (i32.shl (local.get $s) (i32.const 2))))
        (local.set $at (i32.add (local.get $at) (i32.load8_u offset=256 (local.get $s))))
        ;; (a & 3) << 4 | b >> 4
        (local.set $s
          (i32.or
            (i32.shl (i32.and (local.get $w) (i32.const 3)) (i32.const 4))
            (i32.and (i32.shr_u (local.get $w) (i32.const 12)) (i32.const 15))))
        (i32.store (local.get $at) (i32.load (i32.shl (local.get $s) (i32.const 2))))
        (local.set $at (i32.add (local.get $at) (i32.load8_u offset=256 (local.get $s))))
        ;; (b & 15) << 2 | c >> 6
        (local.set $s
          (i32.or
            (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 15)) (i32.const 2))
            (i32.and (i32.shr_u (local.get $w) (i32.const 22)) (i32.const 3))))
        (i32.store (local.get $at) (i32.load (i32.shl (local.get $s) (i32.const 2))))
        (local.set $at (i32.add (local.get $at) (i32.load8_u offset=256 (local.get $s))))
        ;; c & 63
        (local.set $s (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 63)))
        (i32.store (local.get $at) (i32.load (i32.shl (local.get $s) (i32.const 2))))
        (local.set $at (i32.add (local.get $at) (i32.load8_u offset=256 (local.get $s))))
        (local.set $src (i32.add (local.get $src) (i32.const 3)))
        (br $groups)))
    ;; One or two bytes left: their sextets, the last one's low bits zero, then padding.
    (if (i32.eq (local.get $rest) (i32.const 1))
      (then
        (local.set $w (i32.load8_u (local.get $src)))
        (local.set $at (call $put (local.get $at) (i32.shr_u (local.get $w) (i32.const 2))))
        (local.set $at (call $put (local.get $at) (i32.shl (i32.and (local.get $w) (i32.const 3)) (i32.const 4))))
        (local.set $at (call $putPadding (call $putPadding (local.get $at))))))
    (if (i32.eq (local.get $rest) (i32.const 2))
      (then
        (local.set $w (i32.load16_u (local.get $src)))
        (local.set $at (call $put (local.get $at) (i32.shr_u (i32.and (local.get $w) (i32.const 0xff)) (i32.const 2))))
        (local.set $at
          (call $put (local.get $at)
            (i32.or
              (i32.shl (i32.and (local.get $w) (i32.const 3)) (i32.const 4))
              (i32.shr_u (local.get $w) (i32.const 12)))))
        (local.set $at (call $put (local.get $at) (i32.shl (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 15)) (i32.const 2))))
        (local.set $at (call $putPadding (local.get $at)))))
    (i32.sub (local.get $at) (local.get $dst)))

  ;; application/x-www-form-urlencoded decoding of the n bytes at src to dst, as URLSearchParams
  ;; does it: "+" is a space, "%XX" the byte XX, a "%" without two hex digits stays. Returns the
  ;; length, or -1 at a byte past ASCII (URLSearchParams reads those as UTF-8 before the escapes)
  ;; or at an "&" (a field separator: the value is not a whole form's one field).
  (func (export "decodeForm") (param $src i32) (param $n i32) (param $dst i32) (result i32)
    (local $i i32) (local $at i32) (local $v v128) (local $mask i32) (local $c i32) (local $high i32) (local $low i32)
    (loop $next
      (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $n))
        (then
          (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
          ;; "%", "+", "&" and bytes with the high bit set.
          (local.set $mask
            (i8x16.bitmask
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25))
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b)))
                (v128.or
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26 0x26))
                  (local.get $v)))))
          (v128.store (i32.add (local.get $dst) (local.get $at)) (local.get $v))
          (if (i32.eqz (local.get $mask))
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 16)))
              (local.set $at (i32.add (local.get $at) (i32.const 16)))
              (br $next)))
          (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $mask))))
          (local.set $at (i32.add (local.get $at) (i32.ctz (local.get $mask)))))
        (else
          (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (local.get $at))))))
      ;; One byte at i: the first that needs decoding, or one of the last 15.
      (local.set $c (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (if (i32.or (i32.ge_u (local.get $c) (i32.const 0x80)) (i32.eq (local.get $c) (i32.const 0x26))) (then (return (i32.const -1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x2b)) (then (local.set $c (i32.const 0x20))))
      (if (i32.and
            (i32.eq (local.get $c) (i32.const 0x25))
            (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (then
          (local.set $high (i32.load8_u offset=320 (i32.load8_u (i32.add (local.get $src) (local.get $i)))))
          (local.set $low (i32.load8_u offset=320 (i32.load8_u offset=1 (i32.add (local.get $src) (local.get $i)))))
          (if (i32.lt_u (i32.or (local.get $high) (local.get $low)) (i32.const 16))
            (then
              (local.set $c (i32.or (i32.shl (local.get $high) (i32.const 4)) (local.get $low)))
              (local.set $i (i32.add (local.get $i) (i32.const 2)))))))
      (i32.store8 (i32.add (local.get $dst) (local.get $at)) (local.get $c))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (br $next))
    (unreachable))

  ;; A base64 character's sextet, or -1.
  (func $sextetOf (param $c i32) (result i32)
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 0x41)) (i32.const 26))
      (then (return (i32.sub (local.get $c) (i32.const 0x41)))))
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 0x61)) (i32.const 26))
      (then (return (i32.sub (local.get $c) (i32.const 71)))))
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
      (then (return (i32.add (local.get $c) (i32.const 4)))))
    (if (i32.eq (local.get $c) (i32.const 0x2b)) (then (return (i32.const 62))))
    (if (i32.eq (local.get $c) (i32.const 0x2f)) (then (return (i32.const 63))))
    (i32.const -1))

  ;; The n characters of base64 at src (the standard alphabet, without the "=" padding, which
  ;; the caller takes off) decoded to dst; returns the length, or -1 at a character out of the
  ;; alphabet. A last character that does not complete a byte is dropped, as Buffer.from does.
  ;; dst may be src: the writes never reach characters still to be read. 16 characters at a
  ;; time become 12 bytes with SIMD (a 16-byte store: 4 bytes past them are overwritten).
  (func (export "decodeBase64") (param $src i32) (param $n i32) (param $dst i32) (result i32)
    (local $i i32) (local $at i32) (local $v v128) (local $high v128) (local $s v128)
    (local $sextet i32) (local $bits i32) (local $acc i32)
    (local.set $at (local.get $dst))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $high (i8x16.shr_u (local.get $v) (i32.const 4)))
        ;; Each character's low nibble and high nibble have a class each (bits); a character is
        ;; out of the alphabet where the two share a bit.
        (if (v128.any_true
              (v128.and
                (i8x16.swizzle
                  (v128.const i8x16 0x15 0x11 0x11 0x11 0x11 0x11 0x11 0x11 0x11 0x11 0x13 0x1a 0x1b 0x1b 0x1b 0x1a)
                  (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
                (i8x16.swizzle
                  (v128.const i8x16 0x10 0x10 0x01 0x02 0x04 0x08 0x04 0x08 0x10 0x10 0x10 0x10 0x10 0x10 0x10 0x10)
                  (local.get $high))))
          (then (return (i32.const -1))))
        ;; The sextet is the character plus an offset for its high nibble; "/" shares "+"'s
        ;; nibble, so it takes slot 1 (the nibble minus 1).
        (local.set $s
          (i8x16.add (local.get $v)
            (i8x16.swizzle
              (v128.const i8x16 0 16 19 4 -65 -65 -71 -71 0 0 0 0 0 0 0 0)
              (i8x16.add (local.get $high)
                (i8x16.eq (local.get $v) (v128.const i8x16 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f 0x2f))))))
        ;; Pairs of sextets to 12 bits, pairs of those to 24, then each 24's 3 bytes, high first.
        (local.set $s
          (v128.or
            (i16x8.shl (v128.and (local.get $s) (v128.const i16x8 0xff 0xff 0xff 0xff 0xff 0xff 0xff 0xff)) (i32.const 6))
            (i16x8.shr_u (local.get $s) (i32.const 8))))
        (local.set $s
          (v128.or
            (i32x4.shl (v128.and (local.get $s) (v128.const i32x4 0xffff 0xffff 0xffff 0xffff)) (i32.const 12))
            (i32x4.shr_u (local.get $s) (i32.const 16))))
        (v128.store (local.get $at)
          (i8x16.swizzle (local.get $s) (v128.const i8x16 2 1 0 6 5 4 10 9 8 14 13 12 255 255 255 255)))
        (local.set $at (i32.add (local.get $at) (i32.const 12)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    ;; The last 15 characters or fewer, 6 bits at a time; a byte is out when 8 are in.
    (block $charsDone
      (loop $chars
        (br_if $charsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sextet (call $sextetOf (i32.load8_u (i32.add (local.get $src) (local.get $i)))))
        (if (i32.lt_s (local.get $sextet) (i32.const 0)) (then (return (i32.const -1))))
        (local.set $acc (i32.or (i32.shl (local.get $acc) (i32.const 6)) (local.get $sextet)))
        (local.set $bits (i32.add (local.get $bits) (i32.const 6)))
        (if (i32.ge_u (local.get $bits) (i32.const 8))
          (then
            (local.set $bits (i32.sub (local.get $bits) (i32.const 8)))
            (i32.store8 (local.get $at) (i32.shr_u (local.get $acc) (local.get $bits)))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $chars)))
    (i32.sub (local.get $at) (local.get $dst)))
)
