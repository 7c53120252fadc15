package dev.minigradient.consensus;

import dev.minigradient.protocol.Reputation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;

/**
 * Which tasks the referee re-executes when they arrive: a secret, salted sample at the audit rate,
 * raised to the newcomer rate on a task a newcomer holds a seat on (BOINC's adaptive replication,
 * Anderson, Grid 2004: a host's work is checked more often until it has a run of valid results).
 * One implementation, applied by {@link ConsensusProcessor} to every task and by {@link
 * CommitteeTrial} to simulated ones.
 */
final class AuditSample {
  private AuditSample() {}

  /**
   * The salt bytes of a secret: its 8 bytes, big-endian.
   *
   * @param secret the consensus app's secret audit salt
   * @return the salt for {@link #isAudited}
   */
  static byte[] salt(long secret) {
    return ByteBuffer.allocate(8).putLong(secret).array();
  }

  /**
   * Whether a task is audited: {@link #isAudited} at the task's {@link #rate}.
   *
   * @param salt the consensus app's secret salt
   * @param taskId the task
   * @param rate the plain audit rate, in [0,1]
   * @param newcomerRate the rate when a newcomer holds a seat, in [0,1]
   * @param seated the task's seated peers as drawn when it arrived (a newcomer appointed later does
   *     not raise the rate); none for a task without a committee, sampled at the plain rate
   * @param ledger a peer's ledger entry, or null for a peer never settled
   * @return true if the referee re-executes the task
   */
  static boolean sampled(
      byte[] salt,
      String taskId,
      double rate,
      double newcomerRate,
      Iterable<String> seated,
      Function<String, Reputation> ledger) {
    return isAudited(salt, taskId, rate(rate, newcomerRate, seated, ledger));
  }

  /**
   * The audit rate of a task: the plain rate, raised to the newcomer rate when a seated peer is a
   * newcomer ({@link StakeWeights#isNewcomer}).
   *
   * @param rate the plain audit rate, in [0,1]
   * @param newcomerRate the rate when a newcomer holds a seat, in [0,1]
   * @param seated the seated peers
   * @param ledger a peer's ledger entry, or null for a peer never settled
   * @return the rate to sample the task with
   */
  static double rate(
      double rate,
      double newcomerRate,
      Iterable<String> seated,
      Function<String, Reputation> ledger) {
    double r = rate;
    for (String peer : seated) {
      if (StakeWeights.isNewcomer(ledger.apply(peer))) {
        r = Math.max(r, newcomerRate); // a newcomer holds a seat
      }
    }
    return r;
  }

  /**
   * Whether a task falls in the sample: the first 53 bits of SHA-256(secret salt, task id), as a
   * fraction of 2^53, fall under the audit rate. Peers do not know the salt, so they cannot tell
   * which tasks are checked.
   *
   * @param salt the consensus app's secret salt
   * @param taskId the task
   * @param rate the audit rate, in [0,1]
   * @return true if the task is audited
   */
  static boolean isAudited(byte[] salt, String taskId, double rate) {
    if (rate <= 0) {
      return false;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      byte[] h = sha.digest(taskId.getBytes(StandardCharsets.UTF_8));
      long bits = ByteBuffer.wrap(h).getLong() >>> 11;
      return bits < rate * (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
