import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scrollTarget, scrollTo } from '../../src/tui/view-model/visible-window.js';

const none = { upArrow: false, downArrow: false, pageUp: false, pageDown: false };

describe('scrolled text views (doctor, log, order history)', () => {
  it('a following view starts at the last page; j, space, g and G move from there, clamped', () => {
    const follow = { offset: 0, follow: true };
    const step = (input: string) => scrollTo(follow, scrollTarget(input, none)!, 30, 10);
    assert.deepEqual(step('k'), { offset: 19, follow: false });
    assert.deepEqual(step('j'), { offset: 20, follow: true });
    assert.deepEqual(step('b'), { offset: 10, follow: false });
    assert.deepEqual(step('g'), { offset: 0, follow: false });
    assert.deepEqual(scrollTo({ offset: 0, follow: false }, scrollTarget('G', none)!, 30, 10), { offset: 20, follow: true });
    assert.deepEqual(scrollTo({ offset: 5, follow: false }, scrollTarget(' ', none)!, 30, 10), { offset: 15, follow: false });
  });

  it('other keys are no scroll keys', () => {
    assert.equal(scrollTarget('r', none), undefined);
    assert.equal(scrollTarget('', { ...none, pageDown: true })!(3, 10), 13);
  });
});
