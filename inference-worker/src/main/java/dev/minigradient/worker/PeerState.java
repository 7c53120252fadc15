package dev.minigradient.worker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** What a peer's threads share: whether it runs or has crashed, and what it has published. */
final class PeerState {
  /** True from start until it stops or crashes. */
  final AtomicBoolean running = new AtomicBoolean(false);

  /** True once it stopped as a killed process does. */
  final AtomicBoolean crashed = new AtomicBoolean(false);

  /** Votes sent in its own name (including rejecting votes). */
  final AtomicLong votes = new AtomicLong();

  /** Votes sent in other peers' names. */
  final AtomicLong forgedVotes = new AtomicLong();

  /** Tasks skipped undecoded because their committee seats only other peers. */
  final AtomicLong skipped = new AtomicLong();

  /** Dead letters sent. */
  final AtomicLong deadLetters = new AtomicLong();

  /** Tasks answered on an appointment to a silent seat's place. */
  final AtomicLong callsAnswered = new AtomicLong();
}
