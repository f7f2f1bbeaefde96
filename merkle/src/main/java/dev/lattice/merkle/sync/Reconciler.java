package dev.lattice.merkle.sync;

import dev.lattice.merkle.Difference;
import dev.lattice.merkle.Difference.Kind;
import dev.lattice.merkle.Digests;
import dev.lattice.merkle.MerkleConfig;
import dev.lattice.merkle.NodeKey;
import dev.lattice.merkle.Scope;
import dev.lattice.merkle.internal.ByteKey;
import dev.lattice.merkle.internal.Bytes;
import dev.lattice.merkle.sync.NodeView.DigestOnly;
import dev.lattice.merkle.sync.NodeView.Empty;
import dev.lattice.merkle.sync.NodeView.InnerView;
import dev.lattice.merkle.sync.NodeView.LeafView;
import dev.lattice.merkle.sync.ReconcileException.Reason;
import dev.lattice.merkle.sync.ReconcileMessage.Hello;
import dev.lattice.merkle.sync.ReconcileMessage.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One side of a sans-I/O reconciliation of two Merkle tries ({@link TreeView}s) over a
 * {@link Scope}: the caller moves messages ({@link #nextMessage}, {@link #receive}) and owns the
 * transport, in the manner of the Automerge and y-protocols sync state machines.
 *
 * <h2>Idea</h2>
 *
 * <p>Top-down Merkle comparison (Merkle 1987; as in Dynamo/Riak/Cassandra anti-entropy) where
 * <em>each one-way message descends one level</em>, rather than one level per round trip. The
 * initiator opens with each partition's root digest. From then on, a side receiving a view of
 * the peer's node at path {@code p} compares it with its own node at {@code p} and answers with
 * its own views of exactly the children whose digests differ; those views carry the next level,
 * which the peer compares in turn. Where one side reaches a leaf it sends the leaf's entries
 * (key and element digest); the other side, which now sees both sets under that path, computes
 * the exact difference and sends a {@link Verdict} back (a status per entry received plus the
 * keys only it has), so both sides learn the same answer. A subtree present on one side only is
 * answered by listing its keys. Nothing is inferred from a digest alone beyond "equal digests
 * hold equal entries" (see {@link dev.lattice.merkle.tree.DigestBuckets} for what that rests
 * on), so the result is the exact set of differing keys.
 *
 * <p>Every message answers all views of the previous one, so a message with no views ends the
 * exchange. With the trie depth {@code h ≈ log16(n / leafCapacity) + 1}, an exchange takes at most
 * {@code h + 3} messages, about {@code (log16 n + 3) / 2} round trips, and each difference costs
 * one inner view per level on its path plus one leaf: {@code O(d · log n)} bytes.
 *
 * <p>Before computing a message, the reconciler computes it once as a dry run inside
 * {@link TreeView#prefetch}, so a view over storage reads everything the message needs in one
 * batch (see {@link dev.lattice.merkle.tree.DerivedTree}).
 *
 * <p>The view must not change during a session. Not thread-safe.
 */
public final class Reconciler {
  /** A root leaf this small is sent whole in the hello, saving a round trip. */
  private static final int MAX_HELLO_LEAF_DIVISOR = 4;

  private final TreeView tree;
  private final boolean initiator;
  private final Scope allowed;
  private Scope scope;

  private boolean started;
  private boolean expecting;
  private boolean done;
  private ReconcileMessage outbox;
  private boolean lastSentHello;
  private Map<NodeKey, NodeView> sent = Map.of();
  private final List<Difference> differences = new ArrayList<>();
  private int messagesSent;
  private int messagesReceived;

  private Reconciler(TreeView tree, boolean initiator, Scope scope, Scope allowed) {
    this.tree = tree;
    this.initiator = initiator;
    this.scope = scope;
    this.allowed = allowed;
    this.expecting = !initiator;
  }

  /** The side that opens, reconciling {@code scope} of {@code tree}. */
  public static Reconciler initiator(TreeView tree, Scope scope) {
    return new Reconciler(tree, true, scope, scope);
  }

  /** The side that answers; rejects a hello whose scope {@code allowed} does not cover. */
  public static Reconciler responder(TreeView tree, Scope allowed) {
    return new Reconciler(tree, false, null, allowed);
  }

  /** The next message to send, or empty when there is nothing to send now. */
  public Optional<ReconcileMessage> nextMessage() {
    if (initiator && !started) {
      started = true;
      tree.prefetch(this::hello);
      outbox = hello();
    }
    if (outbox == null) {
      return Optional.empty();
    }
    ReconcileMessage m = outbox;
    outbox = null;
    messagesSent++;
    lastSentHello = m instanceof Hello;
    Map<NodeKey, NodeView> byPath = new HashMap<>();
    for (NodeView v : m.views()) {
      byPath.put(v.path(), v);
    }
    sent = byPath;
    if (m instanceof Step && m.views().isEmpty()) {
      done = true;
      expecting = false;
    } else {
      expecting = true;
    }
    return Optional.of(m);
  }

  /**
   * Takes the peer's message into this side's state.
   *
   * @throws ReconcileException if the message breaks the protocol; the session is then unusable
   */
  public void receive(ReconcileMessage message) throws ReconcileException {
    if (!expecting || done || outbox != null) {
      throw new ReconcileException(Reason.UNEXPECTED_MESSAGE,
          "no message expected now (" + message.getClass().getSimpleName() + ")");
    }
    messagesReceived++;
    expecting = false;
    if (message instanceof Hello hello) {
      if (initiator || started) {
        throw new ReconcileException(Reason.UNEXPECTED_MESSAGE, "hello after the start");
      }
      started = true;
      outbox = answerHello(hello);
      return;
    }
    if (!started) {
      throw new ReconcileException(Reason.UNEXPECTED_MESSAGE, "step before hello");
    }
    Step step = (Step) message;
    Step reply = answerStep(step);
    if (step.views().isEmpty()) {
      done = true;
    } else {
      outbox = reply;
    }
  }

  /** True once this side knows the full result and has nothing more to send. */
  public boolean isDone() {
    return done && outbox == null;
  }

  /**
   * The differing keys seen from this side, sorted by key.
   *
   * @throws IllegalStateException before {@link #isDone()}
   */
  public List<Difference> differences() {
    if (!isDone()) {
      throw new IllegalStateException("reconciliation not finished");
    }
    List<Difference> out = new ArrayList<>(differences);
    Collections.sort(out);
    return out;
  }

  public int messagesSent() {
    return messagesSent;
  }

  public int messagesReceived() {
    return messagesReceived;
  }

  /** The scope being reconciled (for a responder, known once the hello arrived). */
  public Scope scope() {
    return scope;
  }

  // ---- opening ----

  private Hello hello() {
    List<NodeView> views = new ArrayList<>();
    int smallLeaf = Math.max(1, tree.config().leafCapacity() / MAX_HELLO_LEAF_DIVISOR);
    for (byte[] p : tree.partitions(scope)) {
      NodeKey root = NodeKey.root(p);
      NodeView node = tree.count(root) <= smallLeaf ? tree.node(root) : null;
      views.add(node instanceof LeafView ? node : new DigestOnly(root, tree.digest(root)));
    }
    return new Hello(tree.config().leafCapacity(), scope, views);
  }

  private Step answerHello(Hello hello) throws ReconcileException {
    if (hello.leafCapacity() != tree.config().leafCapacity()) {
      throw new ReconcileException(Reason.PARAMETERS_MISMATCH, "peer leaf capacity "
          + hello.leafCapacity() + ", ours " + tree.config().leafCapacity());
    }
    if (!allowed.covers(hello.scope())) {
      throw new ReconcileException(Reason.SCOPE_NOT_ALLOWED,
          "requested " + hello.scope() + " is not within " + allowed);
    }
    scope = hello.scope();
    Set<NodeKey> seen = new HashSet<>();
    for (NodeView v : hello.views()) {
      NodeKey p = v.path();
      if (p.depth() != 0 || !scope.contains(p.partitionRef())) {
        throw new ReconcileException(Reason.UNEXPECTED_PATH, "hello view at " + p
            + " is not a partition root in " + scope);
      }
      if (!(v instanceof DigestOnly || v instanceof LeafView)) {
        throw new ReconcileException(Reason.UNEXPECTED_VIEW,
            "hello view at " + p + " is " + v.getClass().getSimpleName());
      }
      if (!seen.add(p)) {
        throw new ReconcileException(Reason.DUPLICATE_ANSWER, "hello names " + p + " twice");
      }
    }
    List<NodeKey> onlyMine = new ArrayList<>();
    for (byte[] p : tree.partitions(scope)) {
      NodeKey root = NodeKey.root(p);
      if (!seen.contains(root)) {
        onlyMine.add(root);
      }
    }
    return respond(hello.views(), onlyMine);
  }

  // ---- every later message ----

  private Step answerStep(Step step) throws ReconcileException {
    // First check that the message answers what we sent, exactly once per node.
    Map<NodeKey, Boolean> answered = new HashMap<>(); // sent path -> answered directly?
    Set<NodeKey> verdictFor = new HashSet<>();
    for (NodeView v : step.views()) {
      if (v instanceof DigestOnly) {
        throw new ReconcileException(Reason.UNEXPECTED_VIEW, "digest-only view at " + v.path()
            + " outside a hello");
      }
      claim(answered, v.path(), true, false);
    }
    for (Verdict verdict : step.verdicts()) {
      claim(answered, verdict.path(), false, true);
      verdictFor.add(verdict.path());
    }
    for (NodeView mine : sent.values()) {
      if ((mine instanceof LeafView || mine instanceof Empty) && !verdictFor.contains(mine.path())) {
        throw new ReconcileException(Reason.MISSING_VERDICT, "no verdict for " + mine.path());
      }
    }
    for (Verdict verdict : step.verdicts()) {
      apply(verdict);
    }
    return respond(step.views(), List.of());
  }

  /**
   * The answer to {@code theirs}, plus a verdict listing our keys under each of {@code onlyMine}.
   * Computed twice: first as a dry run the view may use to batch its reads, then for real.
   */
  private Step respond(List<NodeView> theirs, List<NodeKey> onlyMine) throws ReconcileException {
    tree.prefetch(() -> {
      try {
        respondAll(theirs, onlyMine, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      } catch (ReconcileException ignored) {
        // The real computation below meets the same fault and reports it.
      }
    });
    List<NodeView> views = new ArrayList<>();
    List<Verdict> verdicts = new ArrayList<>();
    respondAll(theirs, onlyMine, views, verdicts, differences);
    return new Step(views, verdicts);
  }

  private void respondAll(List<NodeView> theirs, List<NodeKey> onlyMine, List<NodeView> views,
      List<Verdict> verdicts, List<Difference> found) throws ReconcileException {
    for (NodeView v : theirs) {
      respondTo(v, views, verdicts, found);
    }
    for (NodeKey p : onlyMine) {
      verdicts.add(onlyMine(p, found));
    }
  }

  /**
   * Checks that an incoming view or verdict at {@code p} answers something we sent: our view at
   * {@code p} itself (direct), or a child of our inner view.
   */
  private void claim(Map<NodeKey, Boolean> answered, NodeKey p, boolean isView, boolean isVerdict)
      throws ReconcileException {
    NodeView mine = sent.get(p);
    if (mine != null) {
      boolean ok = isView
          ? (mine instanceof DigestOnly || mine instanceof InnerView)
          : (mine instanceof LeafView || mine instanceof Empty);
      if (!ok) {
        throw new ReconcileException(Reason.UNEXPECTED_VIEW, (isView ? "view" : "verdict")
            + " at " + p + " cannot answer our " + mine.getClass().getSimpleName());
      }
      if (answered.put(p, true) != null) {
        throw new ReconcileException(Reason.DUPLICATE_ANSWER, "second answer for " + p);
      }
      return;
    }
    NodeKey parent = p.parent();
    if (parent != null && sent.get(parent) instanceof InnerView in) {
      boolean present = (in.childMask() & (1 << p.childIndex())) != 0;
      // A child we have is answered by a view; a child we lack by the peer's keys under it.
      if (present != isView) {
        throw new ReconcileException(Reason.UNEXPECTED_VIEW, (isView ? "view" : "verdict")
            + " at " + p + " for a child we " + (present ? "have" : "lack"));
      }
      Boolean prior = answered.put(parent, false);
      if (Boolean.TRUE.equals(prior)) {
        throw new ReconcileException(Reason.DUPLICATE_ANSWER,
            p + " answered both directly and through children of " + parent);
      }
      if (answered.put(p, false) != null) {
        throw new ReconcileException(Reason.DUPLICATE_ANSWER, "second answer for " + p);
      }
      return;
    }
    if (isVerdict && lastSentHello && p.depth() == 0 && scope.contains(p.partitionRef())) {
      if (answered.put(p, true) != null) {
        throw new ReconcileException(Reason.DUPLICATE_ANSWER, "second answer for " + p);
      }
      return; // a partition only the peer has
    }
    throw new ReconcileException(Reason.UNEXPECTED_PATH, p + " answers nothing we sent");
  }

  private void respondTo(NodeView v, List<NodeView> views, List<Verdict> verdicts,
      List<Difference> found) throws ReconcileException {
    NodeKey p = v.path();
    if (v instanceof Empty) {
      verdicts.add(onlyMine(p, found));
    } else if (v instanceof LeafView leaf) {
      verdicts.add(judge(leaf, found));
    } else if (v instanceof DigestOnly d) {
      byte[] mine = tree.digest(p);
      if (mine == null) {
        views.add(new Empty(p));
      } else if (!Arrays.equals(mine, d.digest())) {
        views.add(tree.node(p));
      }
    } else {
      InnerView theirs = (InnerView) v;
      NodeView mine = tree.node(p);
      if (!(mine instanceof InnerView in)) {
        views.add(mine == null ? new Empty(p) : mine);
        return;
      }
      for (int i = 0; i < 16; i++) {
        byte[] t = theirs.childDigest(i);
        byte[] m = in.childDigest(i);
        if (Arrays.equals(t, m)) {
          continue;
        }
        NodeKey c = p.child(i);
        if (m == null) {
          views.add(new Empty(c));
        } else if (t == null) {
          verdicts.add(onlyMine(c, found));
        } else {
          views.add(tree.node(c));
        }
      }
    }
  }

  /** Every key we have under {@code p}, which the peer lacks. */
  private Verdict onlyMine(NodeKey p, List<Difference> found) {
    List<byte[]> keys = new ArrayList<>();
    tree.forEachEntry(p, (k, d) -> keys.add(k));
    keys.sort(Arrays::compareUnsigned);
    for (byte[] k : keys) {
      found.add(new Difference(k, Kind.ONLY_LOCAL));
    }
    return new Verdict(p, new byte[0], keys);
  }

  /** Compares the peer's leaf with everything we have under the same path. */
  private Verdict judge(LeafView leaf, List<Difference> found) throws ReconcileException {
    NodeKey p = leaf.path();
    TreeMap<byte[], byte[]> mine = new TreeMap<>(Arrays::compareUnsigned);
    tree.forEachEntry(p, mine::put);
    byte[] statuses = new byte[leaf.entries().size()];
    byte[] previous = null;
    for (int i = 0; i < statuses.length; i++) {
      KeyDigest kd = leaf.entries().get(i);
      checkPlaced(kd.key(), p, previous);
      previous = kd.key();
      byte[] digest = mine.remove(kd.key());
      if (digest == null) {
        statuses[i] = Verdict.ABSENT;
        found.add(new Difference(kd.key(), Kind.ONLY_REMOTE));
      } else if (Arrays.equals(digest, kd.digest())) {
        statuses[i] = Verdict.SAME;
      } else {
        statuses[i] = Verdict.DIFFERS;
        found.add(new Difference(kd.key(), Kind.DIGEST_DIFFERS));
      }
    }
    List<byte[]> onlyMine = new ArrayList<>(mine.keySet());
    for (byte[] k : onlyMine) {
      found.add(new Difference(k, Kind.ONLY_LOCAL));
    }
    return new Verdict(p, statuses, onlyMine);
  }

  private void apply(Verdict verdict) throws ReconcileException {
    NodeKey p = verdict.path();
    NodeView mine = sent.get(p);
    Set<ByteKey> ours = new HashSet<>();
    if (mine instanceof LeafView leaf) {
      if (verdict.statuses().length != leaf.entries().size()) {
        throw new ReconcileException(Reason.BAD_STATUSES, "verdict at " + p + " has "
            + verdict.statuses().length + " statuses for " + leaf.entries().size() + " entries");
      }
      for (int i = 0; i < verdict.statuses().length; i++) {
        byte[] key = leaf.entries().get(i).key();
        ours.add(new ByteKey(key));
        switch (verdict.statuses()[i]) {
          case Verdict.SAME -> { }
          case Verdict.DIFFERS -> differences.add(new Difference(key, Kind.DIGEST_DIFFERS));
          case Verdict.ABSENT -> differences.add(new Difference(key, Kind.ONLY_LOCAL));
          default -> throw new ReconcileException(Reason.BAD_STATUSES,
              "status " + verdict.statuses()[i] + " at " + p);
        }
      }
    } else if (verdict.statuses().length != 0) {
      throw new ReconcileException(Reason.BAD_STATUSES,
          "verdict at " + p + " has statuses but answers no entries");
    }
    // Otherwise we have nothing under p (we sent Empty, lack that child, or lack the partition).
    byte[] previous = null;
    for (byte[] key : verdict.keysOnlySender()) {
      checkPlaced(key, p, previous);
      previous = key;
      if (ours.contains(new ByteKey(key))) {
        throw new ReconcileException(Reason.INCONSISTENT_VERDICT,
            "peer claims only it has " + Bytes.hex(key) + ", which we sent");
      }
      differences.add(new Difference(key, Kind.ONLY_REMOTE));
    }
  }

  private void checkPlaced(byte[] key, NodeKey p, byte[] previous) throws ReconcileException {
    if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
      throw new ReconcileException(Reason.NOT_CANONICAL,
          "key " + Bytes.hex(key) + " at " + p + " does not follow " + Bytes.hex(previous));
    }
    if (!placedUnder(key, p)) {
      throw new ReconcileException(Reason.ENTRY_OUTSIDE_PATH,
          "key " + Bytes.hex(key) + " is not placed under " + p);
    }
  }

  /** True if {@code key} belongs under {@code p}: same partition, key hash under the prefix. */
  private boolean placedUnder(byte[] key, NodeKey p) {
    if (key.length == 0 || key.length > MerkleConfig.MAX_KEY_LENGTH) {
      return false;
    }
    int len = tree.config().partitioner().partitionLength(key);
    return len >= 0 && len <= key.length && Bytes.prefixEquals(key, len, p.partitionRef())
        && p.containsHash(Digests.keyHash(key));
  }

}
