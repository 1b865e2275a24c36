import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { urlEncodeBase64 } from "../../src/platform/form-body.js";
import { decodeFormValue, soleFormField } from "../../src/server/http/form-field.js";

describe("urlEncodeBase64 (the runner's one-pass escaping)", () => {
  it("gives exactly what encodeURIComponent gives, for random bytes and every remainder", () => {
    const samples: Buffer[] = [Buffer.alloc(0), Buffer.alloc(300, 0xff), Buffer.alloc(301, 0xfb), Buffer.alloc(302, 0xbf)];
    for (let size = 0; size < 300; size++) samples.push(randomBytes(size));
    samples.push(randomBytes(3 * 16 * 1024), randomBytes(5 * 1024 * 1024));
    // Bytes whose sextets are 62 ("+") and 63 ("/"), and "=" padding.
    for (let b = 0; b < 256; b++) samples.push(Buffer.from([b]), Buffer.from([b, b]), Buffer.from([0xfb, b, 0xff]), Buffer.from([0xff, 0xff, b]));
    for (const bytes of samples) {
      const expected = encodeURIComponent(bytes.toString("base64"));
      expect(urlEncodeBase64(bytes).toString("latin1")).toBe(expected);
    }
  });

  it("reads only the view it is given, not the rest of its ArrayBuffer", () => {
    const whole = randomBytes(1000);
    const view = whole.subarray(17, 503);
    expect(urlEncodeBase64(view).toString("latin1")).toBe(encodeURIComponent(view.toString("base64")));
  });
});

const viaSearchParams = (body: Buffer, name: string) => new URLSearchParams(body.toString("utf8")).get(name) ?? undefined;

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
      `json=${encodeURIComponent(JSON.stringify({ filename: "a b+c/ü&=.log", chunk: randomBytes(999).toString("base64") }))}`,
      `json=${new URLSearchParams({ v: '{"a":"x y+z ü €"}' }).toString().slice(2)}`,
    ];
    for (const text of cases) {
      const body = Buffer.from(text, "latin1");
      expect(soleFormField(body, "json"), text).toBe(viaSearchParams(body, "json"));
    }
  });

  it("matches URLSearchParams for random bodies of escape-prone characters", () => {
    const alphabet = Buffer.from("%+=aZ09fF-._*~!'()GgEe2B3D ", "latin1");
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(Math.random() * 40);
      const value = Buffer.alloc(length);
      for (let i = 0; i < length; i++) value[i] = alphabet[Math.floor(Math.random() * alphabet.length)]!;
      // Random escapes too, of any byte (invalid UTF-8 among them).
      const escaped = Math.random() < 0.5 ? value : Buffer.from(value.toString("latin1").replace(/a/g, () => `%${randomBytes(1).toString("hex")}`), "latin1");
      const body = Buffer.concat([Buffer.from("json="), escaped]);
      expect(soleFormField(body, "json"), body.toString("latin1")).toBe(viaSearchParams(body, "json"));
    }
  });

  it("leaves every other body to URLSearchParams", () => {
    for (const text of ["", "json", "jsonx=1", "?json=1", "a=1&json=2", "json=1&json=2", "json=1&", "js%6Fn=1", "JSON=1", "x=1"]) {
      expect(soleFormField(Buffer.from(text, "latin1"), "json"), text).toBeUndefined();
    }
    // Raw bytes past ASCII: URLSearchParams reads them as UTF-8 before it decodes escapes.
    expect(soleFormField(Buffer.from([...Buffer.from("json=%E2"), 0x82, 0xac]), "json")).toBeUndefined();
    expect(soleFormField(Buffer.from("json=ü", "utf8"), "json")).toBeUndefined();
  });

  it("decodes a 5 MiB chunk's form as URLSearchParams does", () => {
    const json = JSON.stringify({ filename: "f.bin", chunk: randomBytes(5 * 1024 * 1024).toString("base64") });
    const body = Buffer.from(`json=${encodeURIComponent(json)}`, "latin1");
    expect(soleFormField(body, "json")).toBe(json);
    expect(decodeFormValue(Buffer.from("a+%41%zz"))).toBe("a A%zz");
  });
});
