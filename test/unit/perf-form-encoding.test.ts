import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFormCodec, type FormCodec } from "../../src/form-codec/form-codec.js";
import { jsFormCodec } from "../../src/form-codec/js-form-codec.js";
import { wasmFormCodec } from "../../src/form-codec/wasm-form-codec.js";
import { soleFormField } from "../../src/server/http/form-field.js";

const wasm = wasmFormCodec();

it("the WebAssembly codec loads on this machine, and is the one createFormCodec() gives", () => {
  expect(wasm?.kind).toBe("wasm");
  expect(createFormCodec().kind).toBe("wasm");
});

const codecs: FormCodec[] = [jsFormCodec, ...(wasm ? [wasm] : [])];
/** urlEncodeBase64's pieces, joined. */
const encoded = (codec: FormCodec, bytes: Uint8Array) => Buffer.concat(codec.urlEncodeBase64(bytes)).toString("latin1");
const viaSearchParams = (body: Buffer, name: string) => new URLSearchParams(body.toString("utf8")).get(name) ?? undefined;
/** What urlEncodeBase64 must give: encodeURIComponent of the base64, "/" left as it is. */
const formBase64 = (bytes: Buffer) => encodeURIComponent(bytes.toString("base64")).replaceAll("%2F", "/");
/** Bytes whose base64 is dense in "+" and "/" (sextets 62 and 63), with runs of plain ones between. */
const escapeProne = fc.array(fc.oneof(fc.constantFrom(0xff, 0xfb, 0xbf, 0xef, 0xfe, 0xf8), fc.integer({ min: 0, max: 255 })), { maxLength: 200 });

describe.each(codecs)("the $kind form codec", (codec) => {
  describe("urlEncodeBase64 (the runner's escaping)", () => {
    it("gives what encodeURIComponent gives (but \"/\"), for random bytes and every remainder; a form parser reads the base64 back", () => {
      const samples: Buffer[] = [Buffer.alloc(0), Buffer.alloc(300, 0xff), Buffer.alloc(301, 0xfb), Buffer.alloc(302, 0xbf)];
      for (let size = 0; size < 300; size++) samples.push(randomBytes(size));
      samples.push(randomBytes(3 * 16 * 1024), randomBytes(5 * 1024 * 1024));
      // Bytes whose sextets are 62 ("+") and 63 ("/"), and "=" padding.
      for (let b = 0; b < 256; b++) samples.push(Buffer.from([b]), Buffer.from([b, b]), Buffer.from([0xfb, b, 0xff]), Buffer.from([0xff, 0xff, b]));
      for (const bytes of samples) {
        const text = encoded(codec, bytes);
        expect(text).toBe(formBase64(bytes));
        expect(viaSearchParams(Buffer.from(`json=${text}`, "latin1"), "json")).toBe(bytes.toString("base64"));
      }
    });

    it("matches encodeURIComponent (but \"/\") for bytes dense in \"+\" and \"/\", at every offset of their buffer", () => {
      fc.assert(
        fc.property(escapeProne, fc.nat(15), (values, offset) => {
          const bytes = Buffer.concat([Buffer.alloc(offset), Buffer.from(values)]).subarray(offset);
          expect(encoded(codec, bytes)).toBe(formBase64(bytes));
        }),
        { numRuns: 2000 },
      );
    });

    it("reads only the view it is given, not the rest of its ArrayBuffer", () => {
      const whole = randomBytes(1000);
      const view = whole.subarray(17, 503);
      expect(encoded(codec, view)).toBe(formBase64(view));
    });

    it("gives a result of its own, not a view another call overwrites", () => {
      const first = codec.urlEncodeBase64(Buffer.alloc(3000, 0xff));
      const copy = Buffer.concat(first);
      codec.urlEncodeBase64(Buffer.alloc(3000, 0x00));
      expect(Buffer.concat(first).equals(copy)).toBe(true);
    });

    it("gives a large input in bounded pieces", () => {
      const pieces = codec.urlEncodeBase64(randomBytes(5 * 1024 * 1024));
      if (codec.kind === "wasm") expect(pieces.length).toBeGreaterThan(1);
      for (const piece of pieces.slice(0, -1)) expect(piece.toString("latin1")).not.toContain("%3D");
    });
  });

  describe("isBase64 (the server's check of a chunk)", () => {
    const reference = (text: string) => text.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);

    it("agrees with the pattern for base64 with a stray character anywhere, and for every ending", () => {
      // Long enough that most characters fall in a 16-byte block rather than the tail.
      const base64 = fc.base64String({ minLength: 40, maxLength: 200 });
      const stray = fc.constantFrom("=", "-", "_", " ", "\n", "\u0141", "\u00c1", "\u0000", "€", ".", "@", "[", "`", "{", ":");
      fc.assert(
        fc.property(base64, stray, fc.nat(), fc.boolean(), (text, char, at, insert) => {
          const where = at % (text.length + 1);
          // In place of a character, so the length rule does not decide it.
          const tried = insert ? text.slice(0, where) + char + text.slice(where + 1) : text;
          expect(codec.isBase64(tried), JSON.stringify(tried)).toBe(reference(tried));
          expect(codec.isBase64(tried.replace(/=+$/, "")), tried).toBe(reference(tried.replace(/=+$/, "")));
        }),
        { numRuns: 3000 },
      );
      const chunk = randomBytes(5 * 1024 * 1024).toString("base64");
      expect(codec.isBase64(chunk)).toBe(true);
      expect(codec.isBase64(`${chunk.slice(0, 3_000_000)}!${chunk.slice(3_000_000)}`)).toBe(false);
    });
  });

  describe("splitBase64Field (the server's v1 chunk)", () => {
    /** A v1 chunk's form value (what follows "json="), with `text` as its chunk's characters. */
    const chunkForm = (text: string, slash: "%2F" | "/" = "%2F") => {
      const before = '{"filename":"a b+c/ü.bin","chunk":"';
      const after = '","chunkIndex":0}';
      return { before, after, value: Buffer.from(encodeURIComponent(before + text + after).replaceAll("%2F", slash), "latin1") };
    };
    const isBase64 = (text: string) => text.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);

    it("decodes the chunk's base64 to Buffer.from's bytes, padded or not, \"/\" escaped (Python) or not (this runner), and keeps the text around it", () => {
      fc.assert(
        fc.property(escapeProne, fc.nat(2), fc.nat(15), fc.constantFrom("%2F" as const, "/" as const), (values, unpad, offset, slash) => {
          const bytes = Buffer.from(values);
          const text = bytes.toString("base64").slice(0, bytes.length % 3 === 0 ? undefined : -Math.min(unpad, 3 - (bytes.length % 3)) || undefined);
          const { before, after, value } = chunkForm(text, slash);
          const shifted = Buffer.concat([Buffer.alloc(offset), value]).subarray(offset);
          // In two pieces, cut anywhere.
          const cut = (offset * 37) % (shifted.length + 1);
          const parts = codec.splitBase64Field([shifted.subarray(0, cut), shifted.subarray(cut)], "chunk");
          expect(parts, text).toBeDefined();
          expect(parts!.bytes.equals(bytes), text).toBe(true);
          expect(parts!.before).toBe(before);
          expect(parts!.after).toBe(after);
        }),
        { numRuns: 2000 },
      );
      const big = randomBytes(5 * 1024 * 1024);
      expect(codec.splitBase64Field([chunkForm(big.toString("base64")).value], "chunk")!.bytes.equals(big)).toBe(true);
      expect(codec.splitBase64Field([chunkForm(big.toString("base64"), "/").value], "chunk")!.bytes.equals(big)).toBe(true);
    });

    it("takes non-canonical endings as Buffer.from does, and refuses what isBase64 refuses", () => {
      const texts = ["", "QQ", "QR", "QR==", "QUI", "QUJ=", "QUJD", "QUJDR", "QUJDRA=", "QUJDRAA=", "A===", "=", "==", "QQ=A", "Q=Q=", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYW", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWQ"];
      for (const text of texts) {
        const parts = codec.splitBase64Field([chunkForm(text).value], "chunk");
        if (isBase64(text)) expect(parts?.bytes, text).toEqual(Buffer.from(text, "base64"));
        else expect(parts, text).toBeUndefined();
      }
    });

    it("refuses every byte out of the alphabet, inside a 16-character block and in the tail", () => {
      const base = randomBytes(45).toString("base64"); // 60 characters: three blocks of 16, a tail of 12
      for (const at of [0, 7, 15, 16, 40, 47, 48, 55, 59]) {
        for (let byte = 0; byte < 256; byte++) {
          // A quote ends the string there (form-json.test.ts has what the JSON around it then does).
          if (byte === 0x22) continue;
          const text = base.slice(0, at) + String.fromCharCode(byte) + base.slice(at + 1);
          // %XX, so that any byte can stand in the decoded text.
          const before = '{"chunk":"';
          const value = Buffer.from(`${encodeURIComponent(before)}${encodeURIComponent(base.slice(0, at))}%${byte.toString(16).padStart(2, "0")}${encodeURIComponent(base.slice(at + 1))}%22%7D`, "latin1");
          const parts = codec.splitBase64Field([value], "chunk");
          if (byte < 0x80 && isBase64(text)) expect(parts?.bytes, `${at} ${byte}`).toEqual(Buffer.from(text, "base64"));
          else expect(parts, `${at} ${byte}`).toBeUndefined();
        }
      }
    });
  });

  describe("soleFormField (the server's fast path)", () => {
    it("gives exactly what URLSearchParams gives for a json=… body, incl. + as space and malformed escapes", () => {
      const cases = [
        "json=",
        "json=abc",
        "json=a+b+c",
        "json=%2B%2F%3D%2b%2f%3d",
        "json=%",
        "json=%2",
        "json=%G1",
        "json=%1G",
        "json=%%41",
        "json=100%",
        "json=%E2%82%AC",
        "json=%E2%82",
        "json=%FF%FE",
        "json=%C0%AF",
        "json=%ED%A0%80",
        "json=%F0%9F%98%80x",
        "json=a=b=c",
        "json=%00%01",
        "json=0123456789abcdef%2",
        "json=0123456789abcde%41",
        "json=0123456789abcdefghijklmnopqrstu+%4",
        `json=${encodeURIComponent(JSON.stringify({ filename: "a b+c/ü&=.log", chunk: randomBytes(999).toString("base64") }))}`,
        `json=${new URLSearchParams({ v: '{"a":"x y+z ü €"}' }).toString().slice(2)}`,
      ];
      for (const text of cases) {
        const body = Buffer.from(text, "latin1");
        expect(soleFormField(codec, body, "json"), text).toBe(viaSearchParams(body, "json"));
      }
    });

    it("matches URLSearchParams for random bodies of escape-prone characters, at every offset", () => {
      const alphabet = "%+=aZ09fF-._*~!'()GgEe2B3D ";
      const escape = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0")}`);
      const value = fc.array(fc.oneof(fc.constantFrom(...alphabet), escape), { maxLength: 80 }).map((parts) => parts.join(""));
      fc.assert(
        fc.property(value, fc.nat(15), (text, offset) => {
          const body = Buffer.concat([Buffer.alloc(offset), Buffer.from(`json=${text}`, "latin1")]).subarray(offset);
          expect(soleFormField(codec, body, "json"), text).toBe(viaSearchParams(body, "json"));
        }),
        { numRuns: 3000 },
      );
    });

    it("leaves every other body to URLSearchParams", () => {
      // An "&" also deep in a 16-byte block, where the codec finds it.
      const long = "a".repeat(40);
      for (const text of ["", "json", "jsonx=1", "?json=1", "a=1&json=2", "json=1&json=2", "json=1&", "js%6Fn=1", "JSON=1", "x=1", `json=${long}&x=1${long}`, `json=${long}%26${long}&`]) {
        expect(soleFormField(codec, Buffer.from(text, "latin1"), "json"), text).toBeUndefined();
      }
      // Raw bytes past ASCII, also deep in a 16-byte block: URLSearchParams reads them as UTF-8 before it decodes escapes.
      expect(soleFormField(codec, Buffer.from([...Buffer.from("json=%E2"), 0x82, 0xac]), "json")).toBeUndefined();
      expect(soleFormField(codec, Buffer.from("json=ü", "utf8"), "json")).toBeUndefined();
      expect(soleFormField(codec, Buffer.from(`json=${"a".repeat(40)}ü${"b".repeat(40)}`, "utf8"), "json")).toBeUndefined();
    });

    it("decodes a 5 MiB chunk's form as URLSearchParams does", () => {
      const json = JSON.stringify({ filename: "f.bin", chunk: randomBytes(5 * 1024 * 1024).toString("base64") });
      const body = Buffer.from(`json=${encodeURIComponent(json)}`, "latin1");
      expect(soleFormField(codec, body, "json")).toBe(json);
      expect(codec.decodeFormValue(Buffer.from("a+%41%zz"))).toBe("a A%zz");
    });
  });
});
