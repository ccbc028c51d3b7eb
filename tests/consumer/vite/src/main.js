// The embedding page's own code: import the package by name, as any app would.
import { capabilities, generateVideo, QuantoniumError } from 'quantonium-video';

Object.assign(globalThis, { consumer: { capabilities, generateVideo, QuantoniumError } });
document.documentElement.dataset.ready = '';
