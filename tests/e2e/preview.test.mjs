// Live preview sizes (www/lib/preview.js): what the worker converts and the page paints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { previewSize } from '../../www/lib/preview.js';

test('a preview fits the box it is shown in, its aspect kept', () => {
  assert.deepEqual(previewSize({ width: 1024, height: 1024 }, { width: 800, height: 446 }), { width: 446, height: 446 });
  assert.deepEqual(previewSize({ width: 1920, height: 1080 }, { width: 800, height: 446 }), { width: 793, height: 446 });
  assert.deepEqual(previewSize({ width: 1920, height: 1080 }, { width: 640, height: 2000 }), { width: 640, height: 360 });
});

test('a preview is never larger than the video', () => {
  assert.deepEqual(previewSize({ width: 256, height: 144 }, { width: 2560, height: 1440 }), { width: 256, height: 144 });
});

test('no box, or a side that is not a size, leaves that side unbounded', () => {
  assert.deepEqual(previewSize({ width: 1024, height: 768 }, {}), { width: 1024, height: 768 });
  assert.deepEqual(previewSize({ width: 1024, height: 768 }, { width: 0, height: 384 }), { width: 512, height: 384 });
  assert.deepEqual(previewSize({ width: 1024, height: 768 }, { width: NaN, height: Infinity }), { width: 1024, height: 768 });
});

test('a tiny box still gives at least one pixel a side', () => {
  assert.deepEqual(previewSize({ width: 4096, height: 16 }, { width: 2, height: 2 }), { width: 2, height: 1 });
});
