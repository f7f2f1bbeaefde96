package dev.lattice.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scale target in simulated time: 200 members of one room, each updating at 20 Hz,
 * ticked every 50 ms. Checks the bounds that do not depend on the machine (frames per client per
 * second, a change leaves on the next tick, quiet rooms cost no frames) and prints the tick cost,
 * which is for reading, not asserting.
 */
class ScaleTest {
  private static final int MEMBERS = 200;
  private static final long TICK = 50;

  @Test
  void twoHundredMembersAtTwentyHertz() throws Exception {
    PresenceHub hub = new PresenceHub(PresenceConfig.DEFAULT);
    PresenceCodec codec = new PresenceCodec(1 << 20);
    MemberIdentity[] ids = new MemberIdentity[MEMBERS];
    for (int i = 0; i < MEMBERS; i++) {
      ids[i] = new MemberIdentity("user" + i, "conn" + i);
      hub.join("ns", "board", ids[i], "{\"x\":0,\"y\":0,\"name\":\"User " + i + "\"}", 0);
    }
    hub.tick(TICK);
    SplittableRandom r = new SplittableRandom(7);
    Map<String, Integer> framesThisSecond = new HashMap<>();
    long tickNanos = 0;
    long encodeNanos = 0;
    long bytes = 0;
    int seconds = 2;
    for (int t = 2; t <= seconds * 20 + 1; t++) {
      long tickAt = t * TICK;
      // Every member moves once between two ticks, at a random moment of the interval.
      for (int i = 0; i < MEMBERS; i++) {
        long at = tickAt - TICK + r.nextInt((int) TICK);
        hub.update("ns", "board", ids[i], "{\"x\":" + r.nextInt(4000) + ",\"y\":" + r.nextInt(3000)
            + ",\"name\":\"User " + i + "\"}", at);
      }
      long t0 = System.nanoTime();
      List<Outbound> out = hub.tick(tickAt);
      long t1 = System.nanoTime();
      for (String text : codec.encodeAll(out)) {
        bytes += text.length();
      }
      long t2 = System.nanoTime();
      if (t > 21) { // the first simulated second warms the JIT
        tickNanos += t1 - t0;
        encodeNanos += t2 - t1;
      }
      assertThat(out).hasSize(MEMBERS);
      List<PresenceFrame.Entry> room = hub.members("ns", "board");
      for (Outbound o : out) {
        // Latency: everything that changed since the last tick is in this tick's frame, at its latest clock.
        assertThat(o.frame().members()).hasSize(MEMBERS - 1);
        framesThisSecond.merge(o.connectionId(), 1, Integer::sum);
      }
      assertThat(room).allSatisfy(e -> assertThat(out.get(0).frame().members().contains(e)
          || e.id().equals(out.get(0).connectionId())).isTrue());
      if ((t - 1) % 20 == 0) {
        assertThat(framesThisSecond.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(20));
        framesThisSecond.clear();
      }
    }
    int measured = (seconds - 1) * 20;
    System.out.printf("presence scale: %d members x 20 Hz: tick %.2f ms, encode of all frames %.2f ms per tick,"
        + " %.1f MB/s out%n", MEMBERS, tickNanos / 1e6 / measured, encodeNanos / 1e6 / measured,
        bytes / (double) seconds / 1e6);
  }

  @Test
  void quietRoomsCostNoFrames() throws Exception {
    PresenceHub hub = new PresenceHub(PresenceConfig.DEFAULT);
    for (int room = 0; room < 100; room++) {
      for (int i = 0; i < 100; i++) {
        hub.join("ns", "room" + room, new MemberIdentity("u" + i, "c" + room + "-" + i), "{}", 0);
      }
    }
    assertThat(hub.tick(TICK)).hasSize(10_000);
    long t0 = System.nanoTime();
    for (int t = 2; t < 200; t++) {
      assertThat(hub.tick(t * TICK)).isEmpty();
    }
    System.out.printf("presence scale: 10,000 quiet members: tick %.1f us%n", (System.nanoTime() - t0) / 1e3 / 198);
  }
}
