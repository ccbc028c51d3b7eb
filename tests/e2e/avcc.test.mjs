// The avcC repair (www/lib/encode/avcc.js), on records as Chromium and Firefox ESR 153 write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repairAvcDescription } from '../../www/lib/encode/avcc.js';

const hex = (s) => Uint8Array.from(s.split(' '), (x) => parseInt(x, 16));
const toHex = (b) => [...new Uint8Array(ArrayBuffer.isView(b) ? b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) : b)].map((x) => x.toString(16).padStart(2, '0')).join(' ');

// Firefox ESR 153, avc1.64001e 256x256: every parameter set has its NAL header byte twice.
const FIREFOX = '01 64 00 1e 03 01 00 18 67 67 64 00 1e ac d9 41 00 86 84 00 00 03 00 04 00 7a 12 00 3c 58 b6 58 01 00 06 68 68 eb ec b2 2c';
// The same parameter sets as they appear in-band in Firefox's first keyframe.
const SPS = '67 64 00 1e ac d9 41 00 86 84 00 00 03 00 04 00 7a 12 00 3c 58 b6 58';
const PPS = '68 eb ec b2 2c';

test('a record with doubled NAL header bytes is rebuilt from the parameter sets as they are in-band', () => {
  const fixed = repairAvcDescription(hex(FIREFOX));
  assert.equal(toHex(fixed), `01 64 00 1e ff e1 00 17 ${SPS} 01 00 05 ${PPS}`);
});

test('a well-formed record is returned as it is, ArrayBuffer or view', () => {
  const good = hex(`01 64 00 1e ff e1 00 17 ${SPS} 01 00 05 ${PPS}`);
  assert.equal(repairAvcDescription(good), good);
  assert.equal(repairAvcDescription(good.buffer), good.buffer);
  const view = new DataView(good.buffer);
  assert.equal(repairAvcDescription(view), view);
});

test('High-profile extension bytes after the PPS are kept; what is not avcC is left alone', () => {
  const tail = 'fd f8 f8 00';
  const fixed = repairAvcDescription(hex(`${FIREFOX} ${tail}`));
  assert.ok(toHex(fixed).endsWith(`${PPS} ${tail}`));
  for (const junk of ['', '00 01 02', '01 64 00 1e ff e1 00 40 67']) {
    const b = junk ? hex(junk) : new Uint8Array(0);
    assert.equal(repairAvcDescription(b), b);
  }
});
