;; The byte loops of v1's form bodies (base64 inside application/x-www-form-urlencoded), in
;; WebAssembly. In JavaScript these loops run at about 5 ns a byte, and the base64 text they work
;; on is garbage the size of the body; here the runner's bytes go to their url-encoded base64 in one
;; pass through a table, and the server's decoding skips 16-byte blocks with nothing to decode in
;; one SIMD compare. Compiled into form-kernels-wasm.ts by `npm run build:wasm`; js-form-codec.ts
;; does the same work in JavaScript and is the reference the tests hold these to.
;;
;; Memory: the tables below take the first 320 bytes; callers put their data from byte 1024 on
;; (FIRST_FREE in wasm-form-codec.ts), input first and output after it, with 16 bytes of room
;; after each, which a 4-byte or 16-byte access may reach past the end.
(module
  (memory (export "memory") 1)

  ;; Sextet s's character in url-encoded base64, 4 bytes each: "+" is "%2B", "/" is "%2F".
  (data (i32.const 0)
    "A\00\00\00B\00\00\00C\00\00\00D\00\00\00E\00\00\00F\00\00\00G\00\00\00H\00\00\00I\00\00\00J\00\00\00K\00\00\00L\00\00\00M\00\00\00N\00\00\00O\00\00\00P\00\00\00"
    "Q\00\00\00R\00\00\00S\00\00\00T\00\00\00U\00\00\00V\00\00\00W\00\00\00X\00\00\00Y\00\00\00Z\00\00\00a\00\00\00b\00\00\00c\00\00\00d\00\00\00e\00\00\00f\00\00\00"
    "g\00\00\00h\00\00\00i\00\00\00j\00\00\00k\00\00\00l\00\00\00m\00\00\00n\00\00\00o\00\00\00p\00\00\00q\00\00\00r\00\00\00s\00\00\00t\00\00\00u\00\00\00v\00\00\00"
    "w\00\00\00x\00\00\00y\00\00\00z\00\00\000\00\00\001\00\00\002\00\00\003\00\00\004\00\00\005\00\00\006\00\00\007\00\00\008\00\00\009\00\00\00%2B\00%2F\00")
  ;; How many of those 4 bytes are the character: 1, or 3 for "%2B" and "%2F".
  (data (i32.const 256)
    "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01"
    "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\03\03")

  ;; Writes sextet $s's character at $at; returns where the next one goes.
  (func $put (param $at i32) (param $s i32) (result i32)
    (i32.store (local.get $at) (i32.load (i32.shl (local.get $s) (i32.const 2))))
    (i32.add (local.get $at) (i32.load8_u offset=256 (local.get $s))))

  ;; "%3D", the escaped "=" of base64's padding, at $at; returns where the next one goes.
  (func $putPadding (param $at i32) (result i32)
    (i32.store (local.get $at) (i32.const 0x443325))
    (i32.add (local.get $at) (i32.const 3)))

  ;; The n bytes at src as url-encoded base64 at dst (what encodeURIComponent makes of their
  ;; base64); returns its length. A group of 3 bytes is read as one little-endian word w, its
  ;; bytes a, b, c from the low end; the word's fourth byte is not used. The loop writes $put out
  ;; four times: Node 20's V8 does not inline WebAssembly calls, and a call per sextet made it 3× slower.
  (func (export "encodeForm") (param $src i32) (param $n i32) (param $dst i32) (result i32)
    (local $end i32) (local $w i32) (local $at i32) (local $s i32) (local $rest i32)
    (local.set $at (local.get $dst))
    (local.set $rest (i32.rem_u (local.get $n) (i32.const 3)))
    (local.set $end (i32.add (local.get $src) (i32.sub (local.get $n) (local.get $rest))))
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

  ;; The length encodeForm would give for the n bytes at src, without writing it: 4 characters
  ;; per 3 bytes (padding included), and 2 more for each "+" (sextet 62), "/" (63) and "=".
  ;; A sextet is 62 or 63 when its five high bits are set: the masks below pick those bits of
  ;; each of a group's four sextets out of w.
  (func (export "formLength") (param $src i32) (param $n i32) (result i32)
    (local $end i32) (local $w i32) (local $escapes i32) (local $rest i32)
    (local.set $rest (i32.rem_u (local.get $n) (i32.const 3)))
    (local.set $end (i32.add (local.get $src) (i32.sub (local.get $n) (local.get $rest))))
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $w (i32.load (local.get $src)))
        (local.set $escapes
          (i32.add (local.get $escapes)
            (i32.add
              (i32.add
                ;; a >> 2: a's top 5 bits
                (i32.eq (i32.and (local.get $w) (i32.const 0xf8)) (i32.const 0xf8))
                ;; (a & 3) << 4 | b >> 4: a's low 2 bits, b's top 3
                (i32.eq (i32.and (local.get $w) (i32.const 0xe003)) (i32.const 0xe003)))
              (i32.add
                ;; (b & 15) << 2 | c >> 6: b's low 4 bits, c's top bit
                (i32.eq (i32.and (local.get $w) (i32.const 0x800f00)) (i32.const 0x800f00))
                ;; c & 63: c's bits 1 to 5
                (i32.eq (i32.and (local.get $w) (i32.const 0x3e0000)) (i32.const 0x3e0000))))))
        (local.set $src (i32.add (local.get $src) (i32.const 3)))
        (br $groups)))
    (if (local.get $rest)
      (then
        ;; The last sextet of a partial group has its low bits zero, never 62 or 63; the padding is.
        (local.set $w (select (i32.load16_u (local.get $src)) (i32.load8_u (local.get $src)) (i32.eq (local.get $rest) (i32.const 2))))
        (local.set $escapes
          (i32.add (local.get $escapes)
            (i32.add
              (i32.sub (i32.const 3) (local.get $rest))
              (i32.add
                (i32.eq (i32.and (local.get $w) (i32.const 0xf8)) (i32.const 0xf8))
                (i32.eq (i32.and (local.get $w) (i32.const 0xe003)) (i32.const 0xe003))))))))
    (i32.add
      (i32.mul (i32.div_u (i32.add (local.get $n) (i32.const 2)) (i32.const 3)) (i32.const 4))
      (i32.shl (local.get $escapes) (i32.const 1))))

  ;; The value of a hex digit, or -1.
  (func $hexValue (param $c i32) (result i32)
    (local $letter i32)
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
      (then (return (i32.sub (local.get $c) (i32.const 0x30)))))
    (local.set $letter (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)))
    (if (i32.lt_u (local.get $letter) (i32.const 6))
      (then (return (i32.add (local.get $letter) (i32.const 10)))))
    (i32.const -1))

  ;; application/x-www-form-urlencoded decoding of the n bytes at src to dst, as URLSearchParams
  ;; does it: "+" is a space, "%XX" the byte XX, a "%" without two hex digits stays. Returns the
  ;; length, or -1 at a byte past ASCII (URLSearchParams reads those as UTF-8 before the escapes).
  (func (export "decodeForm") (param $src i32) (param $n i32) (param $dst i32) (result i32)
    (local $i i32) (local $at i32) (local $v v128) (local $mask i32) (local $c i32) (local $high i32) (local $low i32)
    (loop $next
      (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $n))
        (then
          (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
          ;; "%", "+" and bytes with the high bit set.
          (local.set $mask
            (i8x16.bitmask
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25 0x25))
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b)))
                (local.get $v))))
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
      (if (i32.ge_u (local.get $c) (i32.const 0x80)) (then (return (i32.const -1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eq (local.get $c) (i32.const 0x2b)) (then (local.set $c (i32.const 0x20))))
      (if (i32.and
            (i32.eq (local.get $c) (i32.const 0x25))
            (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (then
          (local.set $high (call $hexValue (i32.load8_u (i32.add (local.get $src) (local.get $i)))))
          (local.set $low (call $hexValue (i32.load8_u offset=1 (i32.add (local.get $src) (local.get $i)))))
          (if (i32.ge_s (i32.or (local.get $high) (local.get $low)) (i32.const 0))
            (then
              (local.set $c (i32.or (i32.shl (local.get $high) (i32.const 4)) (local.get $low)))
              (local.set $i (i32.add (local.get $i) (i32.const 2)))))))
      (i32.store8 (i32.add (local.get $dst) (local.get $at)) (local.get $c))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (br $next))
    (unreachable))

  ;; 1 when every one of the n bytes at src may stand as it is inside a JSON string and reads the
  ;; same as UTF-8 and as latin1: printable ASCII (0x20 to 0x7e) other than '"' and "\"; else 0.
  (func (export "plainJsonText") (param $src i32) (param $n i32) (result i32)
    (local $i i32) (local $v v128) (local $c i32)
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
        (if (v128.any_true
              (v128.or
                (v128.or
                  (i8x16.lt_u (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                  (i8x16.gt_u (local.get $v) (v128.const i8x16 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e 0x7e)))
                (v128.or
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))
                  (i8x16.eq (local.get $v) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (if (i32.or
              (i32.or (i32.lt_u (local.get $c) (i32.const 0x20)) (i32.gt_u (local.get $c) (i32.const 0x7e)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.const 1))

  ;; 1 when every one of the n bytes at src is in base64's alphabet (A-Z, a-z, 0-9, "+", "/"),
  ;; else 0. Padding is the caller's: it leaves the trailing "=" out.
  (func (export "base64Alphabet") (param $src i32) (param $n i32) (result i32)
    (local $i i32) (local $v v128) (local $c i32)
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
        (if (i32.eqz
              (i8x16.all_true
                (v128.or
                  (v128.or
                    (i8x16.lt_u (i8x16.sub (local.get $v) (v128.const i8x16 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41 0x41)) (v128.const i8x16 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26))
                    (i8x16.lt_u (i8x16.sub (local.get $v) (v128.const i8x16 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61 0x61)) (v128.const i8x16 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26)))
                  (v128.or
                    (i8x16.lt_u (i8x16.sub (local.get $v) (v128.const i8x16 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30)) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                    ;; "+" or "/": 0x2b and 0x2f differ in bit 2 only
                    (i8x16.eq (v128.and (local.get $v) (v128.const i8x16 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb 0xfb)) (v128.const i8x16 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b 0x2b))))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (if (i32.eqz
              (i32.or
                (i32.or
                  (i32.lt_u (i32.sub (local.get $c) (i32.const 0x41)) (i32.const 26))
                  (i32.lt_u (i32.sub (local.get $c) (i32.const 0x61)) (i32.const 26)))
                (i32.or
                  (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
                  (i32.eq (i32.and (local.get $c) (i32.const 0xfb)) (i32.const 0x2b)))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.const 1))
)
