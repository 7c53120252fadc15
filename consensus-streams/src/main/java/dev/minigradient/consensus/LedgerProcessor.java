package dev.minigradient.consensus;

import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Settlement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The reputation ledger: folds {@code peers.settlements} (keyed by peer id) into one {@link
 * Reputation} per peer with {@link LedgerReplay#apply}, counting the first settlement of each
 * (peer, task) and ignoring later ones, and publishes each updated peer's entry (to {@code
 * peers.reputation}) every {@link #PUBLISH_INTERVAL_MS}.
 *
 * <p><b>Why later settlements of a task can arrive.</b> With {@code at_least_once}, after a failure
 * Kafka Streams re-processes every input record since the last committed offset. So this processor
 * can see a settlement record again (its own input re-read), and the consensus processor can decide
 * a task again and append a second settlement for the same task and peer (with another {@code
 * settledAt}, possibly another verdict). Under {@code exactly_once_v2} neither happens; the rule
 * below then never skips anything.
 *
 * <p><b>The rule.</b> One key-value store ({@link ConsensusTopology#REPUTATION_STORE}) holds, under
 * distinct key prefixes, each peer's entry with the number of settlements applied to it ({@link
 * #reputationKey}: {@code settled}), and a <em>mark</em> per (peer, task) holding the peer's
 * applied count <em>before</em> that task's settlement. For a settlement:
 *
 * <ol>
 *   <li>no mark: the first settlement of the task; write the mark (count c), then the entry with
 *       the settlement applied (count c + 1);
 *   <li>a mark with count c and an entry whose count is above c: the task was applied; skip it;
 *   <li>a mark with count c and an entry whose count is not above c: the mark was written but the
 *       update after it was lost; apply it now, as in 1.
 * </ol>
 *
 * <p>Why this is exact: both keys of a peer live in the same store, so in the same partition of the
 * same changelog topic, written in that order by one producer that is idempotent and whose batches
 * never expire (set so in both guarantees by {@link ConsensusTopology#streamsProperties}), which
 * neither reorders nor leaves gaps within a partition. After a crash the changelog therefore holds
 * a prefix of the writes: if an entry's count is above a mark's, the entry was written after the
 * mark and includes that task; if not, it does not. A peer's entries are written in the order of
 * its settlements on one partition, so their counts only grow.
 *
 * <p><b>Where marks are filed.</b> A settlement that names its task record's position on {@code
 * inference.tasks} files its mark in a bucket: one store value per peer and {@link
 * #MARK_BUCKET_TASKS} consecutive offsets of one task partition ({@link #bucketKey}), a map from
 * task id to count. Tasks close in offset arrive together and mostly settle together, so the
 * store's record cache writes a bucket once per commit for many settlements, where a key per mark
 * cost one changelog record per peer and task (3 of a task's 12). The rule is the same per mark;
 * the prefix argument holds per bucket: a settlement writes its bucket, then its peer's entry, so
 * the entry's last write in a commit always follows the last write of each of that peer's buckets,
 * the cache flushes keys in that order, and a changelog prefix that holds an entry holds every
 * bucket whose marks the entry covers. A settlement without the position (its task never arrived,
 * or written before the field) files its mark under its own key ({@link #markKey}), as before.
 *
 * <p>The local store after an unclean shutdown under {@code at_least_once}: Kafka Streams keeps the
 * local RocksDB store and restores on top of it from the last checkpoint, so a key may hold a write
 * that never reached the changelog, while keys the changelog rewrote after the checkpoint hold the
 * changelog's value. The rule stays exact: a local-only mark has a count that the entry reaches
 * again when re-processing arrives at the same settlement (the input is the same log, in the same
 * order), and a local-only entry is newer than every mark it covers. To bring such local-only
 * writes into the changelog, a skipped settlement writes its mark and the entry again (unchanged),
 * so the changelog alone (a restore into an empty folder) still holds every settlement whose input
 * offset was committed.
 *
 * <p>Publishing: an entry is published once per {@link #PUBLISH_INTERVAL_MS} however many
 * settlements changed it (the topic is compacted by peer id: only the last value matters), and
 * every entry is published again after a start, so an entry whose settlement was committed before a
 * failure but never published is published then; a skipped settlement publishes the entry again
 * too.
 *
 * <p>Marks expire after {@link #MARK_RETENTION_MS}, swept every {@link #SWEEP_INTERVAL_MS} by a
 * wall-clock punctuator. Not thread-safe; Kafka Streams runs one instance per task.
 */
final class LedgerProcessor implements Processor<String, Settlement, String, Reputation> {
  /**
   * How long a (peer, task) mark is kept, ms, counted from when it was written or, if later, from
   * when this processor started (so marks written before a restart get the full time after it): 1
   * h. A second settlement of a task only comes from re-processing after a failure: this processor
   * re-reading its input since its last commit (100 ms of records by default), or the consensus
   * processor re-deciding the tasks whose input it re-reads since its own last commit, which it
   * does as soon as it has restored its stores and runs again, seconds to minutes after the
   * failure. An hour is far beyond both; a duplicate arriving later would count again, and the
   * {@code replay} audit, which never forgets, would then report that the published ledger differs
   * from the replay.
   */
  static final long MARK_RETENTION_MS = Duration.ofHours(1).toMillis();

  /** How often expired marks are deleted, ms (wall clock). */
  static final long SWEEP_INTERVAL_MS = Duration.ofMinutes(1).toMillis();

  /**
   * Key prefix of the peers' entries; peer ids never hold {@code '|'}, but the kinds stay apart
   * anyway.
   */
  static final String REPUTATION_PREFIX = "r|";

  /** Key prefix of the (peer, task) marks. */
  static final String MARK_PREFIX = "m|";

  /** Key prefix of the buckets of marks ({@link #bucketKey}). */
  static final String BUCKET_PREFIX = "b|";

  /**
   * How many consecutive offsets of a task partition share one bucket of marks: 16, so a bucket (a
   * map of task ids to counts) stays under a kilobyte while most of a peer's marks are written a
   * bucket at a time.
   */
  static final long MARK_BUCKET_TASKS = 16;

  /** Most marks deleted per sweep, so a sweep never holds the stream thread for long. */
  static final int SWEEP_BATCH = 100_000;

  /**
   * How often the entries updated since the last time are published, ms (wall clock): a peer's
   * entry goes to {@code peers.reputation} once per interval however many of its settlements were
   * applied, rather than once per settlement.
   */
  static final long PUBLISH_INTERVAL_MS = 100;

  private ProcessorContext<String, Reputation> context;
  private KeyValueStore<String, LedgerValue> store;
  private long startedAt;

  /** Peers whose entry changed since it was last published, with the entry. */
  private final Map<String, Reputation> unpublished = new LinkedHashMap<>();

  /**
   * Whether every entry is to be published at the next interval: after a start, since an entry
   * applied and committed just before a failure may never have been published.
   */
  private boolean publishAll;

  @Override
  public void init(ProcessorContext<String, Reputation> context) {
    this.context = context;
    this.store = context.getStateStore(ConsensusTopology.REPUTATION_STORE);
    this.startedAt = context.currentSystemTimeMs();
    this.publishAll = true;
    context.schedule(
        Duration.ofMillis(SWEEP_INTERVAL_MS), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    context.schedule(
        Duration.ofMillis(PUBLISH_INTERVAL_MS), PunctuationType.WALL_CLOCK_TIME, this::publish);
  }

  @Override
  public void process(Record<String, Settlement> record) {
    String peerId = record.key();
    Settlement s = record.value();
    if (peerId == null || s == null || s.verdict() == null) {
      return;
    }
    String entryKey = reputationKey(peerId);
    boolean bucketed = s.taskPartition() != null && s.taskOffset() != null;
    String markKey =
        bucketed
            ? bucketKey(peerId, s.taskPartition(), s.taskOffset())
            : markKey(peerId, s.taskId());
    LedgerValue entry = store.get(entryKey);
    long applied = entry == null ? 0 : entry.settled();
    LedgerValue marks = store.get(markKey);
    Long before = marks == null ? null : marks.markOf(s.taskId());
    if (before != null && applied > before) {
      // applied before: write both keys again (see the class comment) and publish the entry again
      store.put(markKey, marks);
      store.put(entryKey, entry);
      unpublished.put(peerId, entry.reputation());
      return;
    }
    long now = context.currentSystemTimeMs();
    store.put(
        markKey,
        bucketed
            ? LedgerValue.bucket(marks, s.taskId(), applied, now)
            : LedgerValue.mark(applied, now));
    Reputation updated = LedgerReplay.apply(entry == null ? null : entry.reputation(), peerId, s);
    store.put(entryKey, LedgerValue.entry(updated, applied + 1));
    unpublished.put(peerId, updated);
  }

  /**
   * Publishes the entries updated since the last call (all of them on the first call after a
   * start), keyed by peer id, stamped {@code now}.
   */
  private void publish(long now) {
    if (publishAll) {
      publishAll = false;
      try (KeyValueIterator<String, LedgerValue> it =
          store.prefixScan(REPUTATION_PREFIX, Serdes.String().serializer())) {
        while (it.hasNext()) {
          var kv = it.next();
          if (kv.value != null && kv.value.reputation() != null) {
            unpublished.putIfAbsent(
                kv.key.substring(REPUTATION_PREFIX.length()), kv.value.reputation());
          }
        }
      }
    }
    unpublished.forEach((peerId, entry) -> context.forward(new Record<>(peerId, entry, now)));
    unpublished.clear();
  }

  /** Deletes the marks and buckets of marks that {@link #expired}. */
  private void sweep(long now) {
    List<String> due = new ArrayList<>();
    for (String prefix : List.of(MARK_PREFIX, BUCKET_PREFIX)) {
      try (KeyValueIterator<String, LedgerValue> it =
          store.prefixScan(prefix, Serdes.String().serializer())) {
        while (it.hasNext() && due.size() < SWEEP_BATCH) {
          var kv = it.next();
          if (kv.value != null && expired(kv.value.markedAt(), startedAt, now)) {
            due.add(kv.key);
          }
        }
      }
    }
    due.forEach(store::delete);
  }

  /**
   * Whether a mark may be deleted.
   *
   * @param markedAt when the mark was written, epoch ms
   * @param startedAt when this processor started, epoch ms
   * @param now the time now, epoch ms
   * @return true once {@link #MARK_RETENTION_MS} has passed since the later of the two
   */
  static boolean expired(long markedAt, long startedAt, long now) {
    return now - Math.max(markedAt, startedAt) >= MARK_RETENTION_MS;
  }

  /**
   * Store key of a peer's entry.
   *
   * @param peerId the peer
   * @return the key
   */
  static String reputationKey(String peerId) {
    return REPUTATION_PREFIX + peerId;
  }

  /**
   * Store key of the mark of a peer's settlement in a task; the peer id's length comes first, so no
   * two (peer, task) pairs share a key whatever characters the ids hold.
   *
   * @param peerId the peer
   * @param taskId the task (null is a task id of its own, as in {@link LedgerReplay})
   * @return the key
   */
  static String markKey(String peerId, String taskId) {
    return MARK_PREFIX + peerId.length() + '|' + peerId + '|' + taskId;
  }

  /**
   * Store key of the bucket of a peer's marks that a task record's position falls in; distinct from
   * every {@link #markKey} by its prefix.
   *
   * @param peerId the peer
   * @param partition the task record's partition of {@code inference.tasks}
   * @param offset the task record's offset
   * @return the key
   */
  static String bucketKey(String peerId, int partition, long offset) {
    return BUCKET_PREFIX
        + peerId.length()
        + '|'
        + peerId
        + '|'
        + partition
        + '|'
        + offset / MARK_BUCKET_TASKS;
  }

  /**
   * A value of the ledger store: a peer's entry ({@code reputation} set), a (peer, task) mark, or a
   * bucket of marks ({@code marks} set).
   *
   * @param reputation the peer's entry, or null for a mark or bucket
   * @param settled for an entry: the settlements applied to it; for a mark: the peer's count before
   *     this task's settlement was applied; 0 for a bucket
   * @param markedAt for a mark or bucket: when it was last written, epoch ms (wall clock); 0 for an
   *     entry
   * @param marks for a bucket: each task's mark, the peer's count before its settlement; else null
   */
  record LedgerValue(Reputation reputation, long settled, long markedAt, Map<String, Long> marks) {
    static LedgerValue entry(Reputation reputation, long settled) {
      return new LedgerValue(reputation, settled, 0, null);
    }

    static LedgerValue mark(long settled, long markedAt) {
      return new LedgerValue(null, settled, markedAt, null);
    }

    /**
     * A bucket holding {@code previous}'s marks (if any) and one more.
     *
     * @param previous the bucket so far, or null
     * @param taskId the task whose mark is added
     * @param settled the peer's count before the task's settlement
     * @param markedAt now, epoch ms
     * @return the bucket
     */
    static LedgerValue bucket(LedgerValue previous, String taskId, long settled, long markedAt) {
      Map<String, Long> marks =
          new HashMap<>(previous == null || previous.marks() == null ? Map.of() : previous.marks());
      marks.put(taskId, settled);
      return new LedgerValue(null, 0, markedAt, marks);
    }

    /**
     * The mark of a task in this value.
     *
     * @param taskId the task
     * @return for a bucket, the task's mark or null; for a single mark, its count
     */
    Long markOf(String taskId) {
      return marks == null ? Long.valueOf(settled) : marks.get(taskId);
    }

    static JsonSerde<LedgerValue> serde() {
      return JsonSerde.compact(LedgerValue.class);
    }
  }
}
