package dev.scheduler.benchmarks;

import java.util.concurrent.locks.LockSupport;

/**
 * Two bodies that hand a turn back and forth {@code rounds} times with {@link LockSupport}: each
 * hand-over unparks the other body and parks this one, so every round is two park/unpark switches.
 * The same bodies run on every scheduler measured, so only the switch differs.
 *
 * <p>Each body publishes its own thread before it first looks at the turn, and each hand-over sets
 * the turn before it reads the other's thread: with both volatile, either the other body is seen
 * and unparked, or it has yet to look at the turn and will find it set. Nothing is lost, whichever
 * body starts first.
 */
final class PingPong {

    private final int rounds;
    private volatile int turn;
    private volatile Thread ping;
    private volatile Thread pong;

    /** A pair that plays {@code rounds} rounds. */
    PingPong(int rounds) {
        this.rounds = rounds;
    }

    /** The first body: it has the first turn. */
    void ping() {
        ping = Thread.currentThread();
        play(0);
    }

    /** The second body. */
    void pong() {
        pong = Thread.currentThread();
        play(1);
    }

    private void play(int mine) {
        for (int i = 0; i < rounds; i++) {
            while (turn != mine) {
                LockSupport.park(this);
            }
            turn = 1 - mine;
            Thread other = mine == 0 ? pong : ping;
            if (other != null) {
                LockSupport.unpark(other);
            }
        }
    }
}
