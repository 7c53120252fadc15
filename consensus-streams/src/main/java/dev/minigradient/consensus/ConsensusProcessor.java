package dev.minigradient.consensus;

import dev.minigradient.protocol.Agreement;
import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.Vote;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns tasks and votes into exactly one {@link Consensus} per task.
 *
 * <p>Rules (PBFT's quorum, Castro and Liskov, OSDI 1999: with n >= 3f+1 peers, more than 2/3 of the
 * weight cannot all be faulty):
 *
 * <ul>
 *   <li>Committees (docs/committees.md): a task's eligible peers are the seats of its committee,
 *       drawn from the roster in effect at its append time ({@link Committee#draw}); unanimous
 *       seats decide; a seat silent at the seat timeout is replaced once by its next-ranked
 *       candidate, announced on {@code inference.replacements} ({@link Replacements}); anything
 *       else ({@link DecisionRule}) escalates to the {@link Referee}, whose re-execution decides;
 *       verdicts, audits and rewards follow {@link Verdicts}. The processor reading tasks partition
 *       0 publishes the rosters. The rules below are those of a task without a committee
 *       (redundancy {@code all}, or no roster yet).
 *   <li>A task's eligible peers are the peers active in {@code peers.registry} and serving its
 *       model when it arrives; a valid vote from another registered peer serving the model adds
 *       that peer (a late joiner raises the bar, never lowers it) ({@link Eligibility}).
 *   <li>A vote is the peer's only if its Ed25519 signature verifies against the peer's registered
 *       key; others are ignored. The peer's first such vote counts if its model id and input
 *       SHA-256 (of the task's bytes, not the requester's claim) match; if not it is judged {@link
 *       Verdict#INVALID}. Repeats are ignored ({@link Eligibility}).
 *   <li>The task is {@link ConsensusStatus#DECIDED} (or {@link ConsensusStatus#REJECTED} when the
 *       label is "refused") as soon as one label holds more than 2/3 of the eligible weight ({@link
 *       Quorum}); it is {@link ConsensusStatus#NO_QUORUM} as soon as every eligible peer has voted
 *       without that.
 *   <li>A task whose model no active peer serves is {@link ConsensusStatus#UNSUPPORTED_MODEL} at
 *       once.
 *   <li>On the wall-clock deadline (a punctuator, since stream time stands still without records):
 *       {@link ConsensusStatus#NO_QUORUM} if any vote counted, else {@link
 *       ConsensusStatus#TIMED_OUT}.
 *   <li>Settlement: the decision goes out at once, but the peers' verdicts for the reputation
 *       ledger are settled only when every eligible peer has voted or the deadline passes, so a
 *       correct vote that arrives after an early decision counts as agreement, not as a miss.
 *   <li>The leading label reported without quorum is the one with the most weight; ties go to the
 *       lowest label, so the outcome never depends on arrival order ({@link Quorum}).
 *   <li>Weights are fixed when the task arrives by the {@link WeightRule} (by default {@link
 *       StakeWeights}: stake x reputation from the ledger, newcomers capped).
 *   <li>A redelivered vote (same signature) is ignored; a second, different vote the peer signed
 *       for the same task is equivocation: the peer's vote stops counting and is judged {@link
 *       Verdict#INVALID}.
 *   <li>A correct vote arriving more than the late grace after the decision is {@link
 *       Verdict#LATE}.
 *   <li>Audits: a secretly sampled fraction of tasks ({@link AuditSample}) is re-executed by the
 *       {@link Referee}; at settlement each counted vote is {@link AuditResult#PASSED} when its
 *       label equals the referee's and each probability is within {@link Verdicts#AUDIT_TOLERANCE},
 *       else {@link AuditResult#FAILED}.
 *   <li>Rewards: each decided task pays {@link ReputationRules#TASK_REWARD} tokens, split among the
 *       peers whose agreeing vote had arrived by the decision (and passed any audit), in proportion
 *       to their weight: a vote after the decision did not help reach it, and paying it would pay
 *       copying the published answer ({@link RewardSplit}).
 *   <li>Sealed votes (see {@link Sealing}) are opened with the app's sealing key before anything
 *       else; one that does not open is ignored.
 * </ul>
 *
 * <p>One class over 400 lines because it is the one owner of the pending-tasks store: arrival,
 * judging, deciding, settling and the punctuator all read and write the same entry. The pure rules
 * it applies are elsewhere, each in one place, unit-tested and shared with {@code replay} and the
 * trust trial where they apply: {@link Eligibility}, {@link AuditSample}, {@link DecisionRule} and
 * {@link Quorum}, {@link Replacements}, {@link Verdicts} and {@link RewardSplit}, {@link
 * ConsensusRecord}, {@link Rosters} and {@link Committee}.
 */
final class ConsensusProcessor implements Processor<String, ConsensusInput, String, Outcome> {
  private static final Logger log = LoggerFactory.getLogger(ConsensusProcessor.class);

  /** Most votes held for a task that has not arrived yet. */
  static final int MAX_EARLY_VOTES = 256;

  private final ConsensusConfig config;
  private final WeightRule weights;
  private final Referee referee;
  private final byte[] auditSalt;
  private final Sealing.Opener opener;

  /** The vote record being processed as received (sealed), and opened; null between records. */
  private Vote received;

  private Vote opened;
  private ProcessorContext<String, Outcome> context;
  private KeyValueStore<String, PendingTask> pending;

  /** Deadlines of the pending tasks, rebuilt from {@link #pending} at start. */
  private final DeadlineIndex deadlines = new DeadlineIndex();

  private KeyValueStore<String, ValueAndTimestamp<Peer>> peers;
  private KeyValueStore<String, ValueAndTimestamp<Reputation>> ledger;

  /** Decisions on {@code inference.consensus} (at-least-once only, else null). */
  private KeyValueStore<String, ValueAndTimestamp<Consensus>> published;

  /** Rosters on {@code network.rosters}, by {@link Roster#key()}. */
  private KeyValueStore<String, ValueAndTimestamp<Roster>> rosters;

  /**
   * Reads a task's input again when the referee needs it and it is no longer in {@link #inputs}.
   */
  private final TaskInputs fetcher;

  /** Inputs of pending committee tasks, kept for a referee; bounded, oldest dropped first. */
  private final InputCache inputs = new InputCache(INPUT_CACHE_BYTES);

  /** Whether this stream task publishes the rosters (the one reading partition 0 of the tasks). */
  private boolean publishesRosters;

  /** Start of the newest roster this processor published or found published, epoch ms. */
  private long rosterPublishedFrom = -1;

  /** Most bytes of task inputs kept in memory for escalations: 64 MiB. */
  static final long INPUT_CACHE_BYTES = 64L << 20;

  ConsensusProcessor(
      ConsensusConfig config,
      WeightRule weights,
      Referee referee,
      PrivateKey sealingKey,
      TaskInputs fetcher) {
    this.fetcher = fetcher;
    this.opener = sealingKey == null ? null : Sealing.opener(sealingKey);
    this.config = config;
    this.weights = weights;
    this.referee = referee;
    this.auditSalt = AuditSample.salt(config.auditSalt());
  }

  @Override
  public void init(ProcessorContext<String, Outcome> context) {
    this.context = context;
    this.pending = context.getStateStore(ConsensusTopology.PENDING_STORE);
    this.peers = context.getStateStore(ConsensusTopology.PEERS_STORE);
    this.ledger = context.getStateStore(ConsensusTopology.LEDGER_STORE);
    this.published =
        config.exactlyOnce() ? null : context.getStateStore(ConsensusTopology.DECISIONS_STORE);
    this.rosters = context.getStateStore(ConsensusTopology.ROSTERS_STORE);
    this.publishesRosters = context.taskId().partition() == 0;
    rebuildDeadlines();
    context.schedule(
        Duration.ofMillis(config.punctuateIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        this::punctuate);
  }

  @Override
  public void process(Record<String, ConsensusInput> record) {
    String taskId = record.key();
    if (taskId == null || record.value() == null) {
      return;
    }
    long now = context.currentSystemTimeMs();
    if (record.value().task() != null) {
      Task task = record.value().task();
      if (!taskId.equals(task.taskId())) {
        // anything about a task is keyed by its id: a task under another key would meet other votes
        deadLetterMisKeyed(
            taskId, Outcome.rejected(task), Topics.TASKS, "the task id " + task.taskId());
        return;
      }
      var md = context.recordMetadata();
      onTask(
          taskId,
          task,
          now,
          record.timestamp(),
          md.map(m -> m.partition()).orElse(-1),
          md.map(m -> m.offset()).orElse(-1L));
    } else if (record.value().vote() != null) {
      Vote vote = record.value().vote();
      if (!taskId.equals(vote.taskId())) {
        // a peer's signed vote replayed under another task's key must not be judged against it
        deadLetterMisKeyed(
            taskId, Outcome.rejected(vote), Topics.VOTES, "the vote's task id " + vote.taskId());
        return;
      }
      received = vote;
      if (!vote.isReadable()) {
        try {
          if (opener == null) {
            throw new IllegalArgumentException("no sealing key configured");
          }
          vote = opener.open(vote);
        } catch (IllegalArgumentException e) {
          log.debug("sealed vote for {} ignored: {}", taskId, e.getMessage());
          deadLetter(received, "unreadable-seal", e.getMessage());
          return;
        }
      }
      opened = vote;
      try {
        onVote(taskId, vote, now);
      } finally {
        received = null;
        opened = null;
      }
    }
  }

  /** Sends the vote being processed, as received, to the dead-letter topic with its reason. */
  private void deadLetter(Vote asReceived, String reason, String message) {
    deadLetterCurrent(
        asReceived.taskId(), Outcome.rejected(asReceived), Topics.VOTES.name(), reason, message);
  }

  /** Dead-letters the record being processed: filed under {@code key}, it is {@code about}. */
  private void deadLetterMisKeyed(String key, Outcome rejected, Topic<?> topic, String about) {
    deadLetterCurrent(
        key, rejected, topic.name(), "key-mismatch", "record key " + key + " is not " + about);
  }

  /** Sends the record being processed (read from {@code topic}) to the dead-letter topic. */
  private void deadLetterCurrent(
      String key, Outcome rejected, String topic, String reason, String message) {
    var md = context.recordMetadata();
    forwardDeadLetter(
        key,
        rejected,
        topic,
        md.map(m -> m.partition()).orElse(-1),
        md.map(m -> m.offset()).orElse(-1L),
        reason,
        message);
  }

  /**
   * Sends a vote read at {@code partition}/{@code offset} of the votes topic to the dead letters.
   */
  private void deadLetter(Vote vote, int partition, long offset, String reason, String message) {
    forwardDeadLetter(
        vote.taskId(),
        Outcome.rejected(vote),
        Topics.VOTES.name(),
        partition,
        offset,
        reason,
        message);
  }

  private void forwardDeadLetter(
      String key,
      Outcome rejected,
      String topic,
      int partition,
      long offset,
      String reason,
      String message) {
    Headers headers =
        DeadLetters.headers(topic, partition, offset, "consensus-streams", reason, message);
    context.forward(new Record<>(key, rejected, context.currentSystemTimeMs(), headers));
  }

  /**
   * A task arrived.
   *
   * @param appendTime the task record's timestamp (the broker's append time), epoch ms
   * @param partition the task record's partition, -1 if unknown
   * @param offset its offset, -1 if unknown
   */
  private void onTask(
      String taskId, Task task, long now, long appendTime, int partition, long offset) {
    PendingTask found = pending.get(taskId);
    if (found != null && (found.hasTask() || found.decided)) {
      return; // the same task delivered again
    }
    PendingTask p = found == null ? new PendingTask() : found;
    if (found != null) {
      deadlines.remove(p.deadline, taskId); // orphan votes' provisional deadline
    }
    p.modelId = task.modelId();
    Agreement agreement = referee.agreement(task.modelId());
    p.tolerance = agreement != null && agreement.byValue() ? agreement.tolerance() : null;
    p.classTolerance = agreement != null && !agreement.byValue() ? agreement.tolerance() : null;
    // the hash of the bytes themselves, not the one the requester declared
    p.inputSha256 = Hashes.sha256Hex(task.input());
    p.name = task.name();
    p.submittedAt = task.submittedAt();
    p.deadline = now + config.decisionTimeoutMs();
    p.partition = partition;
    p.offset = offset;
    p.appendTime = appendTime;
    Roster roster = rosterAt(rosters, appendTime);
    Committee committee =
        partition < 0
            ? null
            : Committee.ofTask(
                roster, task.modelId(), task.redundancy(), partition, offset, appendTime);
    if (committee != null && !committee.seats().isEmpty()) {
      p.committee.addAll(committee.seats());
      p.eligible.putAll(Eligibility.seats(committee, roster));
      inputs.put(taskId, task.input());
    } else {
      Map<String, Peer> active = new TreeMap<>();
      try (KeyValueIterator<String, ValueAndTimestamp<Peer>> it = peers.all()) {
        while (it.hasNext()) {
          ValueAndTimestamp<Peer> entry = it.next().value;
          Peer peer = entry == null ? null : entry.value();
          if (peer == null) {
            continue; // unreadable bytes restored into the store: dead-lettered, never counted
          }
          if (Eligibility.activeAndServing(peer, entry.timestamp(), task.modelId(), now)) {
            active.put(peer.peerId(), peer);
          }
        }
      }
      p.eligible.putAll(weights.weights(active, this::ledgerEntry));
      if (referee != Referee.NONE) {
        inputs.put(taskId, task.input()); // a task without quorum escalates to the referee
      }
    }
    if (!p.eligible.isEmpty()
        && AuditSample.sampled(
            auditSalt,
            taskId,
            config.auditRate(),
            config.committees().newcomerAuditRate(),
            p.hasCommittee() ? p.eligible.keySet() : List.of(),
            this::ledgerEntry)) {
      p.reference = referee.rerun(task.modelId(), task.input());
    }
    List<PendingTask.HeldVote> early = p.early;
    p.early = new ArrayList<>();
    deadlines.add(p.deadline, taskId);
    if (p.hasCommittee() && config.committees().seatTimeoutMs() < config.decisionTimeoutMs()) {
      // a seat silent this long is replaced (a silent replacement escalates one timeout later);
      // the task still settles at the deadline, so the seat's vote, if it comes, is judged (LATE)
      // instead of MISSED
      p.seatDeadline = now + config.committees().seatTimeoutMs();
      deadlines.add(p.seatDeadline, taskId);
    }
    if (p.eligible.isEmpty()) {
      // no active peer serves the model: answer now rather than let early votes elect a quorum of
      // one
      emit(taskId, p, ConsensusStatus.UNSUPPORTED_MODEL, null, 0, 0, now);
      return;
    }
    for (PendingTask.HeldVote v : early) {
      judge(p, v.vote(), now);
    }
    if (!decideIfReady(taskId, p, now, false)) {
      pending.put(taskId, p);
    }
  }

  private void onVote(String taskId, Vote vote, long now) {
    PendingTask p = pending.get(taskId);
    if (p == null) {
      p = new PendingTask();
      p.deadline = now + config.decisionTimeoutMs();
      deadlines.add(p.deadline, taskId);
    }
    if (p.settled) {
      return; // the decision and its verdicts stand
    }
    if (p.decided) {
      judge(p, vote, now); // a vote after an early decision: judged for the ledger only
      if (p.everyoneVoted()) {
        settle(taskId, p, now);
      } else {
        pending.put(taskId, p);
      }
      return;
    }
    if (!p.hasTask()) {
      // held until the task arrives; all are kept (up to a bound), so a forged early vote
      // cannot shadow the peer's real one
      if (p.early.size() < MAX_EARLY_VOTES) {
        var md = context.recordMetadata();
        p.early.add(
            new PendingTask.HeldVote(
                vote, md.map(m -> m.partition()).orElse(-1), md.map(m -> m.offset()).orElse(-1L)));
      }
      pending.put(taskId, p);
      return;
    }
    judge(p, vote, now);
    if (!decideIfReady(taskId, p, now, false)) {
      pending.put(taskId, p);
    }
  }

  /**
   * Judges one vote against its task; a peer's first provably-its-own vote wins. A vote whose
   * signature does not verify against the peer's registered key is not provably the peer's (anyone
   * can write a peer id on the topic), so it neither counts nor takes the peer's place nor costs
   * the peer anything. A signed vote for the wrong model or input is the peer's own mistake and is
   * judged {@link Verdict#INVALID}.
   */
  private void judge(PendingTask p, Vote vote, long now) {
    PendingTask.CountedVote first = p.votes.get(vote.peerId());
    String payloadSha256 = Hashes.sha256Hex(vote.signedPayload());
    if (Eligibility.isRepeat(first, vote.signature(), payloadSha256)) {
      return; // a redelivery, or the peer's vote already stopped counting
    }
    ValueAndTimestamp<Peer> registered = peers.get(vote.peerId());
    Peer peer = registered == null ? null : registered.value();
    if (peer == null || !Signatures.verify(vote, peer.publicKey())) {
      p.forged++;
      log.debug(
          "vote for {} claiming peer {} ignored: unregistered or bad signature",
          vote.taskId(),
          vote.peerId());
      if (vote == opened) { // the record in hand (a held early vote's own record is long gone)
        deadLetter(
            received,
            peer == null ? "unregistered-peer" : "bad-signature",
            "vote claiming peer "
                + vote.peerId()
                + (peer == null
                    ? " which is not registered"
                    : " does not verify against its registered key"));
      }
      return;
    }
    if (first != null) {
      if (Eligibility.equivocates(first, payloadSha256)) {
        // two different votes, both signed by the peer: provable equivocation
        p.votes.put(vote.peerId(), first.invalid(Eligibility.EQUIVOCATION));
      }
      return;
    }
    switch (Eligibility.admit(
        p,
        vote.peerId(),
        Eligibility.activeAndServing(peer, registered.timestamp(), p.modelId, now))) {
      case NO_SEAT -> {
        log.debug("vote of {} for {} ignored: it holds no seat", vote.peerId(), vote.taskId());
        return; // an unseated peer neither counts nor is judged
      }
      case NOT_SERVING -> {
        log.debug(
            "vote of {} for {} ignored: not an active peer serving the model",
            vote.peerId(),
            vote.taskId());
        return;
      }
      case LATE_JOINER ->
          p.eligible.put(vote.peerId(), lateJoinerWeight(p, peer)); // a late joiner raises the bar
      case ELIGIBLE -> {}
    }
    String reason = Eligibility.invalidReason(p, vote);
    p.votes.put(
        vote.peerId(),
        new PendingTask.CountedVote(
            vote.label(),
            vote.rejection(),
            vote.probabilities(),
            reason == null,
            reason,
            now,
            vote.signature(),
            payloadSha256,
            vote.values()));
    ValueAgreement.relabel(p);
  }

  /**
   * The weight of a peer that joins after the task arrived, computed together with the peers
   * already eligible, so a newcomer's cap applies to it as well.
   */
  private double lateJoinerWeight(PendingTask p, Peer joiner) {
    Map<String, Peer> all = new TreeMap<>();
    for (String id : p.eligible.keySet()) {
      ValueAndTimestamp<Peer> e = peers.get(id);
      if (e != null && e.value() != null) {
        all.put(id, e.value());
      }
    }
    all.put(joiner.peerId(), joiner);
    return weights.weights(all, this::ledgerEntry).getOrDefault(joiner.peerId(), 0.0);
  }

  /**
   * The roster in effect at a task's append time {@code at}: the roster in {@code store} (a rosters
   * store, by {@link Roster#key}) with the largest start not after it.
   *
   * @return the roster, or null when none starts that early (no committee)
   */
  static Roster rosterAt(ReadOnlyKeyValueStore<String, ValueAndTimestamp<Roster>> store, long at) {
    try (KeyValueIterator<String, ValueAndTimestamp<Roster>> it =
        store.reverseRange(Roster.key(0), Roster.key(at))) {
      while (it.hasNext()) {
        ValueAndTimestamp<Roster> r = it.next().value;
        if (r != null && r.value() != null) {
          return r.value();
        }
      }
    }
    return null;
  }

  /**
   * Publishes the roster of the next epoch if it is not out yet: the peers active now, each with
   * its weight ({@link WeightRule}) and models, and a beacon. Runs on the stream task of tasks
   * partition 0 only, so one instance publishes; a roster already on the topic (published before a
   * restart, read back by the global table) is not published again.
   */
  private void publishRoster(long now) {
    long interval = config.committees().rosterIntervalMs();
    long from = Rosters.nextEpoch(now, interval);
    if (from <= rosterPublishedFrom) {
      return;
    }
    rosterPublishedFrom = from;
    ValueAndTimestamp<Roster> existing = rosters.get(Roster.key(from));
    if (existing != null && existing.value() != null) {
      return;
    }
    Map<String, Peer> active = new TreeMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<Peer>> it = peers.all()) {
      while (it.hasNext()) {
        ValueAndTimestamp<Peer> entry = it.next().value;
        if (entry != null && entry.value() != null && isActive(entry, now)) {
          active.put(entry.value().peerId(), entry.value());
        }
      }
    }
    Roster roster =
        Rosters.of(
            from, auditSalt, config.committees().redundancy(), active, weights, this::ledgerEntry);
    context.forward(new Record<>(roster.key(), Outcome.roster(roster), now));
  }

  private Reputation ledgerEntry(String peerId) {
    ValueAndTimestamp<Reputation> e = ledger.get(peerId);
    return e == null ? null : e.value();
  }

  /**
   * Whether a registry entry is active at {@code now}: not leaving, and its record, stamped by the
   * broker (the topic uses {@code LogAppendTime}, so peers' clocks do not matter), is younger than
   * {@link Peer#ACTIVE_HEARTBEATS} heartbeat intervals.
   */
  static boolean isActive(ValueAndTimestamp<Peer> entry, long now) {
    return entry != null && entry.value() != null && entry.value().isActive(entry.timestamp(), now);
  }

  /**
   * Applies the {@link DecisionRule} and emits the consensus when it says so: unanimous seats or a
   * 2/3 quorum decide; an escalation is decided by the referee's re-execution (or, when the referee
   * cannot run the model, ends {@code NO_QUORUM} as without escalation).
   *
   * @return true if it decided (and updated the stores)
   */
  private boolean decideIfReady(String taskId, PendingTask p, long now, boolean deadlinePassed) {
    // the rule, then the audit: an audited task whose seats agree on a wrong answer escalates
    ValueAgreement.relabel(p);
    DecisionRule.Step step = DecisionRule.next(p, deadlinePassed);
    switch (step.kind()) {
      case WAIT -> {
        return false;
      }
      case DECIDE ->
          emit(
              taskId,
              p,
              DecisionRule.status(step.label()),
              step.label(),
              step.agreeing(),
              step.total(),
              now);
      case TIMED_OUT -> emit(taskId, p, ConsensusStatus.TIMED_OUT, null, 0, step.total(), now);
      case ESCALATE -> {
        Referee.Reference ref = p.reference != null ? p.reference : refereeAnswer(taskId, p);
        if (ref == null) {
          // nobody can re-execute it: as without escalation
          emit(
              taskId,
              p,
              DecisionRule.withoutReferee(step, p.everyoneVoted()),
              step.label(),
              step.agreeing(),
              step.total(),
              now);
        } else {
          p.reference = ref;
          p.escalation = step.reason();
          ValueAgreement.relabel(p);
          DecisionRule.Step refereed = DecisionRule.byReferee(step, p);
          emit(
              taskId,
              p,
              DecisionRule.status(refereed.label()),
              refereed.label(),
              refereed.agreeing(),
              refereed.total(),
              now);
        }
      }
    }
    return true;
  }

  /**
   * The referee's re-execution of an escalated task, from the input kept in memory or read again
   * from {@code inference.tasks}.
   *
   * @return the answer, or null when the input or the model is not available
   */
  private Referee.Reference refereeAnswer(String taskId, PendingTask p) {
    byte[] input = inputs.get(taskId);
    if (input == null && p.partition >= 0) {
      input = fetcher.input(taskId, p.partition, p.offset);
    }
    if (input == null) {
      log.warn("task {} escalates but its input is not available to the referee", taskId);
      return null;
    }
    return referee.rerun(p.modelId, input);
  }

  private void emit(
      String taskId,
      PendingTask p,
      ConsensusStatus status,
      Integer leader,
      double leaderWeight,
      double total,
      long now) {
    p.decide(status, leader, now);
    p.values = status == ConsensusStatus.DECIDED ? ValueAgreement.decided(p, leader) : null;
    inputs.remove(taskId);
    Consensus before = publishedDecision(taskId);
    if (before != null) {
      // decided before a failure, and that decision is out: it stands, and is not sent again
      p.status = before.status();
      p.leader = ConsensusRecord.decidedLabel(before);
      p.values = before.values().isEmpty() ? null : before.values();
      log.debug(
          "task {} was decided {} before a failure; keeping that decision",
          taskId,
          before.status());
      if (p.everyoneVoted() || now >= p.deadline) {
        settle(taskId, p, now);
      } else {
        pending.put(taskId, p);
      }
      return;
    }
    Consensus c = ConsensusRecord.of(taskId, p, leaderWeight, total, config.lateGraceMs(), now);
    context.forward(new Record<>(taskId, Outcome.decision(c), now));
    if (p.everyoneVoted() || now >= p.deadline) {
      settle(taskId, p, now);
    } else {
      pending.put(taskId, p); // settles when the rest vote or at the deadline
    }
  }

  /**
   * The decision already on {@code inference.consensus} for a task, at at-least-once. After a
   * failure the app re-processes its input since its last commit, and its stores, restored from
   * changelogs, may not hold a decision that had already gone out; deciding again could then differ
   * from it (weights, the active peers and arrival times are taken anew, and a deadline that passed
   * while the app was down fires before the votes are read again). The decision published first is
   * the one requesters may have seen, so it stands. At exactly-once the stores and the output are
   * committed together, so this never finds one.
   *
   * @return the published decision, or null (none, or exactly-once)
   */
  private Consensus publishedDecision(String taskId) {
    if (published == null) {
      return null;
    }
    ValueAndTimestamp<Consensus> e = published.get(taskId);
    return e == null ? null : e.value();
  }

  /**
   * Emits the final verdicts for the reputation ledger. At exactly-once it keeps a small tombstone
   * for {@link ConsensusConfig#retentionMs()}, so late and repeated votes cannot re-open the task;
   * at at-least-once the published decision does that, and the entry is deleted.
   */
  private void settle(String taskId, PendingTask p, long now) {
    inputs.remove(taskId);
    context.forward(
        new Record<>(
            taskId,
            Outcome.settlement(
                Verdicts.of(p, config.lateGraceMs(), true), now, p.partition, p.offset),
            now));
    deadlines.remove(p.deadline, taskId);
    if (p.seatDeadline > 0) {
      deadlines.remove(p.seatDeadline, taskId);
    }
    if (published != null) {
      // at-least-once: the decision on inference.consensus (the decisions store) answers for the
      // task from now on, so its entry goes, saving a record now and its deletion later; a vote
      // that comes after is held as for an unknown task and dropped at its deadline (below), and
      // a task re-read after a failure is decided again, its decision standing and the ledger
      // counting its first settlement
      pending.delete(taskId);
      return;
    }
    PendingTask done = new PendingTask();
    done.decided = true;
    done.settled = true;
    done.modelId = p.modelId;
    done.deadline = now + config.retentionMs();
    pending.put(taskId, done);
    deadlines.add(done.deadline, taskId);
  }

  private void punctuate(long now) {
    if (publishesRosters) {
      publishRoster(now);
    }
    for (DeadlineIndex.Due due : deadlines.pollDue(now)) {
      String taskId = due.taskId();
      PendingTask p = pending.get(taskId);
      if (p == null) {
        continue;
      }
      if (p.seatDeadline > 0 && due.time() == p.seatDeadline && p.seatDeadline != p.deadline) {
        // the committee's seat timeout: replace silent seats the first time, then escalate
        if (!p.decided && p.hasTask() && p.replacements.isEmpty()) {
          replaceSilentSeats(taskId, p, now);
        } else if (!p.decided && p.hasTask()) {
          decideIfReady(taskId, p, now, true);
        }
        continue;
      }
      if (p.settled) {
        pending.delete(taskId);
      } else if (p.decided) {
        settle(taskId, p, now);
      } else if (!p.hasTask() && publishedDecision(taskId) != null) {
        log.debug(
            "dropping {} vote(s) for task {}, decided and settled before they came",
            p.early.size(),
            taskId);
        pending.delete(taskId);
      } else if (!p.hasTask()) {
        log.warn(
            "dead-lettering {} vote(s) for task {}: the task never arrived within {} ms",
            p.early.size(),
            taskId,
            config.decisionTimeoutMs());
        for (PendingTask.HeldVote held : p.early) {
          deadLetter(
              held.vote(),
              held.partition(),
              held.offset(),
              "unknown-task",
              "no task "
                  + taskId
                  + " arrived within "
                  + config.decisionTimeoutMs()
                  + " ms of the vote");
        }
        pending.delete(taskId);
      } else {
        decideIfReady(taskId, p, now, true);
      }
    }
  }

  /**
   * A committee's first seat timeout: appoints each silent seat's next-ranked candidate, announces
   * it, and waits one more seat timeout ({@link Replacements}); escalates now when a silent seat
   * has no candidate left, or when the task's decision is already out (re-processed after a failure
   * at at-least-once: that decision stands, {@link #emit}).
   */
  private void replaceSilentSeats(String taskId, PendingTask p, long now) {
    Roster roster = rosterAt(rosters, p.appendTime);
    List<Replacements.Appointment> appointed =
        roster == null || publishedDecision(taskId) != null
            ? null
            : Replacements.appoint(
                p.committee,
                p.votes.keySet(),
                Replacements.ranker(
                    roster,
                    p.modelId,
                    Committee.seed(roster.beacon(), p.partition, p.offset, p.appendTime)));
    if (appointed == null || appointed.isEmpty()) {
      decideIfReady(taskId, p, now, true);
      return;
    }
    for (SeatReplacement r : Replacements.appointIn(p, taskId, appointed, now)) {
      context.forward(new Record<>(taskId, Outcome.replacement(r), now));
    }
    long next = now + config.committees().seatTimeoutMs();
    if (next < p.deadline) {
      p.seatDeadline = next;
      deadlines.add(next, taskId);
    } else {
      p.seatDeadline = 0; // the decision deadline ends the wait
    }
    pending.put(taskId, p);
  }

  /**
   * Fills the deadline index from the pending-tasks store: each entry's decision (or retention)
   * deadline, and the seat deadline of an undecided committee task. Runs when the stream task
   * starts, after its stores are restored.
   */
  private void rebuildDeadlines() {
    try (KeyValueIterator<String, PendingTask> it = pending.all()) {
      while (it.hasNext()) {
        KeyValue<String, PendingTask> e = it.next();
        PendingTask p = e.value;
        if (p == null) {
          continue;
        }
        deadlines.add(p.deadline, e.key);
        if (p.seatDeadline > 0 && !p.decided) {
          deadlines.add(p.seatDeadline, e.key);
        }
      }
    }
  }
}
