// A clock tests can move.
import type { Clock } from '../../src/services/deps.js';

export class TestClock implements Clock {
  constructor(private t: number = Date.parse('2026-03-01T09:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
