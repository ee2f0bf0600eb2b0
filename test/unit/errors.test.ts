import { describe, expect, it } from 'vitest';
import { deviceMessage } from '../../src/errors.js';

describe('deviceMessage', () => {
    it('adds the device prefix once', () => {
        expect(deviceMessage('a01', 'offline')).toBe('device a01: offline');
        expect(deviceMessage('a01', 'device a01: adb connect failed')).toBe('device a01: adb connect failed');
        expect(deviceMessage('srv', 'ssh host h:22 (device srv): refused')).toBe('ssh host h:22 (device srv): refused');
        expect(deviceMessage('a01.x', 'device a01.x (S1) is unauthorized')).toBe('device a01.x (S1) is unauthorized');
    });

    it('does not take another device with a longer name for this one', () => {
        expect(deviceMessage('a01', 'device a01-sim: offline')).toBe('device a01: device a01-sim: offline');
        expect(deviceMessage('a.1', 'device ab1: offline')).toBe('device a.1: device ab1: offline');
    });
});
