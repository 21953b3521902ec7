import { describe, expect, it } from "vitest";
import { formatBytes } from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 bytes"],
    [1, "1 byte"],
    [1023, "1,023 bytes"],
    [1536, "1.5 KiB"],
    [10737418240, "10 GiB"],
    [53687091200, "50 GiB"],
    [64424509441, "60 GiB"],
    [5497558138880, "5 TiB"],
  ])("%d bytes read %s", (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });
});
