package dev.minigradient.consensus;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pure rules of replacing a committee's silent seats: at the seat timeout, each seat whose
 * holder has not voted goes to the seat's next-ranked candidate ({@link Committee#replacement}),
 * skipping every peer that holds a seat on the task or was already appointed to one, so each
 * replacement is a peer the task has not asked yet. Seats are taken in seat order, so the consensus
 * app and {@code replay} appoint the same peers from the same roster. A task is replaced at most
 * once: a replacement silent at the next timeout escalates to the referee. One implementation,
 * applied by {@link ConsensusProcessor} and checked by {@link LedgerReplay}.
 */
final class Replacements {
  private Replacements() {}

  /**
   * One appointment.
   *
   * @param seat the seat's index, from 0
   * @param replaced the seat's silent holder
   * @param peerId the peer appointed to it
   */
  record Appointment(int seat, String replaced, String peerId) {}

  /** The next-ranked candidate for a seat, or null when none is left. */
  @FunctionalInterface
  interface Ranker {
    /**
     * The seat's replacement.
     *
     * @param seat the seat's index
     * @param excluded peers that cannot take it
     * @return the peer id, or null
     */
    String next(int seat, Set<String> excluded);
  }

  /**
   * The ranker of a task's committee: {@link Committee#replacement} over the roster's candidates
   * serving the model.
   *
   * @param roster the roster the committee was drawn from
   * @param modelId the task's model
   * @param seed the task's seed ({@link Committee#seed})
   * @return the ranker
   */
  static Ranker ranker(Roster roster, String modelId, byte[] seed) {
    return (seat, excluded) -> Committee.replacement(roster, modelId, seed, seat, excluded);
  }

  /**
   * Appoints a replacement to every seat whose holder has not voted, in seat order.
   *
   * @param seats the committee's seats in seat order (a peer once per seat it holds)
   * @param voted peers that have voted, valid or not
   * @param ranker the seats' next-ranked candidates
   * @return one appointment per silent seat (empty when no seat is silent), or null when some
   *     silent seat has no candidate left (the task then escalates at once)
   */
  static List<Appointment> appoint(List<String> seats, Collection<String> voted, Ranker ranker) {
    Set<String> excluded = new HashSet<>(seats);
    List<Appointment> appointed = new ArrayList<>();
    for (int seat = 0; seat < seats.size(); seat++) {
      String holder = seats.get(seat);
      if (voted.contains(holder)) {
        continue;
      }
      String next = ranker.next(seat, excluded);
      if (next == null) {
        return null;
      }
      excluded.add(next);
      appointed.add(new Appointment(seat, holder, next));
    }
    return appointed;
  }

  /**
   * Records appointments on a pending task: each appointee becomes eligible with a weight of the
   * seats it took, and the appointments are kept for the decision and the consensus record.
   *
   * @param p the task (mutated)
   * @param taskId its id
   * @param appointed the appointments ({@link #appoint})
   * @param now the wall-clock time of the appointment, epoch ms
   * @return the announcements to publish, in seat order
   */
  static List<SeatReplacement> appointIn(
      PendingTask p, String taskId, List<Appointment> appointed, long now) {
    List<SeatReplacement> out = new ArrayList<>();
    for (Appointment a : appointed) {
      p.replacements.add(a);
      p.eligible.merge(a.peerId(), 1.0, Double::sum);
      out.add(
          new SeatReplacement(
              SeatReplacement.SCHEMA_VERSION,
              taskId,
              p.modelId,
              p.partition,
              p.offset,
              p.appendTime,
              a.seat(),
              a.replaced(),
              a.peerId(),
              now));
    }
    return out;
  }

  /**
   * The seats as they ended: each replaced seat held by its appointee.
   *
   * @param seats the drawn seats in seat order
   * @param appointed the appointments
   * @return a new list of the same size
   * @throws IndexOutOfBoundsException if an appointment names a seat the committee lacks
   */
  static List<String> finalSeats(List<String> seats, Collection<Appointment> appointed) {
    List<String> out = new ArrayList<>(seats);
    for (Appointment a : appointed) {
      out.set(a.seat(), a.peerId());
    }
    return out;
  }

  /**
   * The replaced peers: excused from unanimity ({@link DecisionRule}), still judged.
   *
   * @param appointed the appointments
   * @return their replaced holders, in seat order
   */
  static Set<String> replaced(Collection<Appointment> appointed) {
    Set<String> out = new LinkedHashSet<>();
    appointed.forEach(a -> out.add(a.replaced()));
    return out;
  }
}
