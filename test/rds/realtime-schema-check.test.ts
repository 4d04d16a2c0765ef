/**
 * The Realtime schema the bootstrap installs was read from Realtime's own tenant migrations: the image the library
 * pins must be the one that check stands for, so that a new Realtime image is not pinned unread.
 */
import { REALTIME_SCHEMA_CHECK } from '../../src/rds/bootstrap';
import { DEFAULT_IMAGES } from '../../src/supabase/workloads/images';

const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);

test('the pinned Realtime image is the one the bootstrap\'s Realtime schema was checked for', () => {
  expect({ pinned: tagOf(DEFAULT_IMAGES.realtime) }).toEqual({ pinned: REALTIME_SCHEMA_CHECK.imageTag });
});

test('a release was read, and a difference between it and the image tag is explained', () => {
  expect(REALTIME_SCHEMA_CHECK.checkedRelease).toMatch(/^v\d+\.\d+\.\d+$/);
  expect(REALTIME_SCHEMA_CHECK.source).toContain(REALTIME_SCHEMA_CHECK.checkedRelease);
  if ((REALTIME_SCHEMA_CHECK.checkedRelease as string) !== REALTIME_SCHEMA_CHECK.imageTag) {
    expect(REALTIME_SCHEMA_CHECK.gap.length).toBeGreaterThan(0);
  }
});
