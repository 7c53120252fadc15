package dev.minigradient.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The committee of one task: k seats drawn by weight <em>with replacement</em> from a {@link
 * Roster}'s candidates serving the task's model, by weighted rendezvous hashing over a seed. Every
 * peer, the consensus app and {@code replay} compute it on their own from the same inputs and get
 * the same seats.
 *
 * <p>Seat {@code j} goes to the candidate with the smallest {@code -ln(U(seed, j, peer)) / weight},
 * U uniform in (0,1) from SHA-256: an exponential race, so a candidate wins each seat with
 * probability weight / total weight, independently of the other seats (weighted rendezvous hashing,
 * Thaler and Ravishankar 1998; the exponential race of Efraimidis and Spirakis 2006). Because seats
 * are independent draws, a peer may hold several seats, and splitting a stake over many identities
 * changes nothing: the identities together win each seat with the stake's share, exactly as one
 * identity would (Sybil neutrality, as in Algorand's sortition, which draws per unit of stake).
 *
 * <p>When the task asks for {@link Redundancy#ALL}, or for at least as many seats as there are
 * candidates, every candidate holds one seat and nothing is drawn: a network smaller than the
 * committee hears from every peer. When the k draws seat a single peer, seats are added until a
 * second peer holds one ({@link #MIN_DISTINCT}).
 *
 * <p>The seed ({@link #seed}) mixes the roster's beacon with where and when the broker appended the
 * task (partition, offset, append time): no field the requester writes enters it, so a requester
 * cannot search task ids or inputs for a committee it likes.
 *
 * @param seats peer id of each seat, in seat order (a peer appears once per seat it holds)
 * @param everyone true when every candidate holds one seat (ALL, or k at least the candidates)
 */
public record Committee(List<String> seats, boolean everyone) {

  /** Copies the seats. */
  public Committee {
    seats = List.copyOf(seats);
  }

  /**
   * The seed of a task's draw: SHA-256 over a domain tag, the beacon, and the task record's
   * partition, offset and append time.
   *
   * @param beacon the roster's beacon
   * @param partition the task record's partition of {@code inference.tasks}
   * @param offset its offset
   * @param appendTime its timestamp (the broker's append time), epoch ms
   * @return 32 bytes
   */
  public static byte[] seed(String beacon, int partition, long offset, long appendTime) {
    MessageDigest sha = sha256();
    sha.update("mini-gradient/committee/v1\n".getBytes(StandardCharsets.UTF_8));
    sha.update(beacon.getBytes(StandardCharsets.UTF_8));
    sha.update(
        ByteBuffer.allocate(20).putInt(partition).putLong(offset).putLong(appendTime).array());
    return sha.digest();
  }

  /**
   * The committee of a task record, as every party computes it: none when no roster was in effect
   * at its append time or it asks for {@link Redundancy#ALL}, else the {@link #draw} seeded by the
   * roster's beacon and the record's position.
   *
   * @param roster the roster in effect at the record's append time, or null
   * @param modelId the task's model
   * @param redundancy the seats it asks for, {@link Redundancy#ALL}, or null for the default
   * @param partition the record's partition of {@code inference.tasks}
   * @param offset its offset
   * @param appendTime its timestamp (the broker's append time), epoch ms
   * @return the committee (empty when no candidate serves the model), or null when the task has
   *     none and every active peer serving the model serves it
   */
  public static Committee ofTask(
      Roster roster,
      String modelId,
      Integer redundancy,
      int partition,
      long offset,
      long appendTime) {
    if (roster == null || Integer.valueOf(Redundancy.ALL).equals(redundancy)) {
      return null;
    }
    return draw(roster, modelId, redundancy, seed(roster.beacon(), partition, offset, appendTime));
  }

  /**
   * Draws a task's committee.
   *
   * @param roster the roster in effect when the task was appended
   * @param modelId the task's model: only candidates serving it are drawn
   * @param redundancy the seats the task asks for; null for the roster's default, {@link
   *     Redundancy#ALL} for every candidate
   * @param seed the task's {@link #seed}
   * @return the committee; empty when no candidate serves the model
   */
  public static Committee draw(Roster roster, String modelId, Integer redundancy, byte[] seed) {
    int k = redundancy == null ? roster.defaultRedundancy() : redundancy;
    List<Roster.Member> candidates = candidates(roster, modelId);
    boolean anyWeight =
        candidates.stream().anyMatch(m -> m.weight() > 0 && Double.isFinite(m.weight()));
    if (k == Redundancy.ALL || k >= candidates.size() || !anyWeight) {
      List<String> all = new ArrayList<>();
      candidates.forEach(m -> all.add(m.peerId()));
      Collections.sort(all);
      return new Committee(all, true);
    }
    List<String> seats = new ArrayList<>(k);
    Set<String> distinct = new HashSet<>();
    int minDistinct = Math.min(MIN_DISTINCT, k); // a task asking for one seat accepts one peer
    for (int seat = 0;
        seat < k || (distinct.size() < minDistinct && seat < k + MAX_EXTRA_SEATS);
        seat++) {
      String holder = ranking(candidates, seed, seat).get(0);
      seats.add(holder);
      distinct.add(holder);
    }
    return new Committee(seats, false);
  }

  /**
   * A seat's replacement: the first candidate in the seat's ranking ({@link #ranking}) who is not
   * excluded. The consensus app appoints it when the seat's holder is still silent at the seat
   * timeout, and {@code replay} re-derives it to check the appointment.
   *
   * @param roster the roster the committee was drawn from
   * @param modelId the task's model: only candidates serving it are ranked
   * @param seed the task's {@link #seed}
   * @param seat the seat's index, from 0
   * @param excluded peers that cannot take the seat: every holder of a seat on the task and every
   *     peer already appointed to one
   * @return the peer id, or null when no candidate with weight is left
   */
  public static String replacement(
      Roster roster, String modelId, byte[] seed, int seat, Collection<String> excluded) {
    for (String peer : ranking(candidates(roster, modelId), seed, seat)) {
      if (!excluded.contains(peer)) {
        return peer;
      }
    }
    return null;
  }

  /** The roster's members serving a model, in roster order. */
  private static List<Roster.Member> candidates(Roster roster, String modelId) {
    List<Roster.Member> candidates = new ArrayList<>();
    for (Roster.Member m : roster.members()) {
      if (m.models().contains(modelId)) {
        candidates.add(m);
      }
    }
    return candidates;
  }

  /**
   * Fewest distinct peers a drawn committee of two or more seats hears from (a task asking for one
   * seat accepts one peer): when the k draws seat one peer only, more seats are drawn the same way
   * (seat k, k+1, ...) until a second peer holds one, so no answer is accepted on one peer's word.
   * Each extra seat is an ordinary draw, won with probability weight / total, so a Sybil holds no
   * more seats than its weight buys.
   */
  public static final int MIN_DISTINCT = 2;

  /**
   * Most seats added to reach {@link #MIN_DISTINCT} (reached only when one peer holds nearly all
   * weight).
   */
  public static final int MAX_EXTRA_SEATS = 16;

  /**
   * The candidates in the order they win one seat: the first holds it, the next replaces it.
   *
   * @param candidates the candidates (weight 0 never wins)
   * @param seed the task's seed
   * @param seat the seat index
   * @return peer ids, best first; candidates without weight left out
   */
  static List<String> ranking(List<Roster.Member> candidates, byte[] seed, int seat) {
    List<Map.Entry<String, Double>> keys = new ArrayList<>();
    for (Roster.Member m : candidates) {
      if (m.weight() > 0 && Double.isFinite(m.weight())) {
        keys.add(Map.entry(m.peerId(), -Math.log(uniform(seed, seat, m.peerId())) / m.weight()));
      }
    }
    keys.sort(
        Map.Entry.<String, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    List<String> order = new ArrayList<>(keys.size());
    keys.forEach(e -> order.add(e.getKey()));
    return order;
  }

  /** A number in (0,1) from SHA-256(seed, seat, peer id): 53 bits, never 0 or 1. */
  static double uniform(byte[] seed, int seat, String peerId) {
    MessageDigest sha = sha256();
    sha.update(seed);
    sha.update(ByteBuffer.allocate(4).putInt(seat).array());
    sha.update(peerId.getBytes(StandardCharsets.UTF_8));
    long bits = ByteBuffer.wrap(sha.digest()).getLong() >>> 11;
    return (bits + 0.5) / (1L << 53);
  }

  /**
   * Seats held by each peer of the committee, in first-seat order.
   *
   * @return peer id to seats held (at least 1)
   */
  public Map<String, Integer> seatsByPeer() {
    Map<String, Integer> m = new LinkedHashMap<>();
    seats.forEach(p -> m.merge(p, 1, Integer::sum));
    return m;
  }

  /**
   * Whether a peer holds a seat.
   *
   * @param peerId the peer
   * @return true if it holds at least one
   */
  public boolean seats(String peerId) {
    return seats.contains(peerId);
  }

  /**
   * The seed as hex, for display.
   *
   * @param seed a seed
   * @return 64 hex characters
   */
  public static String hex(byte[] seed) {
    return HexFormat.of().formatHex(seed);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
