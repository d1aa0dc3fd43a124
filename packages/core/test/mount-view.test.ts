// Placing a path within its filesystem in this process's view (no kernel).
import { describe, expect, test } from 'vitest';
import { MountView, mountinfoReader, parseMountinfo } from '../src/mount-view.js';
import { open } from './helpers/events.js';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
  '40 22 0:41 / /tmp rw,nosuid - tmpfs tmpfs rw',
  '51 22 8:1 /etc /work/project/x rw,relatime - ext4 /dev/sda1 rw',
  '52 22 8:17 /home/ci/proj /work rw - ext4 /dev/sdb1 rw',
  '53 22 0:41 /with\\040space /mnt/spaced rw - tmpfs tmpfs rw',
].join('\n');
const dev = (major: number, minor: number) => major * 2 ** 20 + minor;
const view = () => new MountView(() => MOUNTINFO);

describe('MountView', () => {
  test('mountinfo: devices, roots and mount points, escapes undone', () => {
    expect(parseMountinfo(MOUNTINFO).at(-1)).toEqual({ dev: dev(0, 41), root: '/with space', mountPoint: '/mnt/spaced' });
  });

  test('a file of a bind-mounted directory is where its filesystem shows the most of it', () => {
    expect(view().place(dev(8, 1), '/etc/hostname')).toBe('/etc/hostname');
  });

  test('a filesystem shown only through a bind mount (a container volume) is placed under it', () => {
    expect(view().place(dev(8, 17), '/home/ci/proj/src/a.ts')).toBe('/work/src/a.ts');
    expect(view().place(dev(8, 17), '/home/ci/proj')).toBe('/work');
  });

  test('a path outside every mount of its filesystem, or a filesystem not mounted here: undefined', () => {
    expect(view().place(dev(8, 17), '/home/other/x')).toBeUndefined();
    expect(view().place(dev(0, 99), '/x')).toBeUndefined();
  });

  test('mountinfo is read again when a filesystem is not found (a mount made since)', () => {
    let text = MOUNTINFO;
    const v = new MountView(() => text);
    expect(v.place(dev(0, 77), '/a')).toBeUndefined();
    text += '\n60 22 0:77 / /mnt/new rw - tmpfs tmpfs rw';
    expect(v.place(dev(0, 77), '/a')).toBe('/mnt/new/a');
  });

  test('an event: its paths placed; one that cannot be placed marks it unresolved', () => {
    const placed = { ...open('/etc/hostname'), fsView: { dev: dev(8, 1), path: true, base: false, to: false } };
    view().placeEvent(placed);
    expect(placed).toMatchObject({ path: '/etc/hostname', unresolved: false, fsView: undefined });
    const lost = { ...open('/secret'), fsView: { dev: dev(0, 99), path: true, base: false, to: false } };
    view().placeEvent(lost);
    expect(lost).toMatchObject({ path: '(filesystem 0:99)/secret', unresolved: true });
  });

  test('a relative path argument, told by where it led, is placed with it', () => {
    const viaBind = { ...open('/hostname'), requested: 'hostname', requestedPath: '/etc/hostname', fsView: { dev: dev(8, 17), path: true, base: false, to: false } };
    viaBind.path = viaBind.requestedPath = '/home/ci/proj/a';
    view().placeEvent(viaBind);
    expect(viaBind).toMatchObject({ path: '/work/a', requestedPath: '/work/a' });
  });

  test('a relative path whose directory and file are both within the filesystem is placed once', () => {
    const opened = { ...open('/x'), requested: 'relative.txt', fsView: { dev: dev(8, 17), path: true, base: true, to: false } };
    opened.path = opened.requestedPath = '/home/ci/proj/relative.txt';
    view().placeEvent(opened);
    expect(opened).toMatchObject({ path: '/work/relative.txt', requestedPath: '/work/relative.txt' });
  });

  test("a symlink's new link, told by where it led, is placed with it whatever was passed", () => {
    const link = { ...open('/x'), requested: '/work/soft', fsView: { dev: dev(8, 17), path: true, base: false, to: false } };
    link.path = link.requestedPath = '/home/ci/proj/soft';
    view().placeEvent(link);
    expect(link).toMatchObject({ path: '/work/soft', requestedPath: '/work/soft' });
  });

  test('mountinfoReader: an fd opened once, read again from the start each time', () => {
    const reader = mountinfoReader();
    try {
      expect(reader.read()).toMatch(/^\d+ \d+ \d+:\d+ /);
      expect(reader.read()).toBe(reader.read());
    } finally {
      reader.close();
    }
  });
});
