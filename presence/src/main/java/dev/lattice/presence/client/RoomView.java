package dev.lattice.presence.client;

import dev.lattice.presence.PresenceFrame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One room as a client sees it, built by applying the edge's frames in order (PROTOCOL.md, section
 * 16): a snapshot replaces the view; otherwise {@code left} ids are removed, and each entry is kept
 * if its id is new or its clock is higher than the one held. An entry with an older or equal clock
 * is a stale copy (frames may travel through more than one path) and is dropped.
 *
 * <p>Not thread-safe: the client applies frames on its own thread.
 */
final class RoomView {
  private final String room;
  private LinkedHashMap<String, Member> members = new LinkedHashMap<>();
  private boolean complete;

  RoomView(String room) {
    this.room = room;
  }

  /** Whether a snapshot arrived since the view was created or {@linkplain #reset() reset}. */
  boolean complete() {
    return complete;
  }

  /** Forgets that the view is complete (a rejoin is under way); the members stay until the next snapshot. */
  void reset() {
    complete = false;
  }

  Map<String, Member> members() {
    return members;
  }

  /** Applies {@code frame}; returns the event to tell listeners, or null if the frame changed nothing. */
  RoomEvent apply(PresenceFrame frame) {
    List<Member> joined = new ArrayList<>();
    List<Member> updated = new ArrayList<>();
    List<Member> left = new ArrayList<>();
    if (frame.snapshot()) {
      LinkedHashMap<String, Member> next = new LinkedHashMap<>();
      for (PresenceFrame.Entry e : frame.members()) {
        Member m = member(e);
        next.put(m.id(), m);
        Member before = members.get(m.id());
        if (before == null) {
          joined.add(m);
        } else if (!before.equals(m)) {
          updated.add(m);
        }
      }
      for (Member before : members.values()) {
        if (!next.containsKey(before.id())) {
          left.add(before);
        }
      }
      members = next;
      complete = true;
      return new RoomEvent(room, members, joined, updated, left, true);
    }
    for (String id : frame.left()) {
      Member gone = members.remove(id);
      if (gone != null) {
        left.add(gone);
      }
    }
    for (PresenceFrame.Entry e : frame.members()) {
      Member held = members.get(e.id());
      if (held == null) {
        Member m = member(e);
        members.put(m.id(), m);
        joined.add(m);
      } else if (e.clock() > held.clock()) {
        Member m = member(e);
        members.put(m.id(), m);
        updated.add(m);
      }
    }
    if (joined.isEmpty() && updated.isEmpty() && left.isEmpty()) {
      return null;
    }
    return new RoomEvent(room, members, joined, updated, left, false);
  }

  /** The whole view as an event, for a listener that starts listening late. */
  RoomEvent current() {
    return new RoomEvent(room, members, new ArrayList<>(members.values()), List.of(), List.of(), true);
  }

  private static Member member(PresenceFrame.Entry e) {
    return new Member(e.id(), e.user(), e.clock(), e.state());
  }
}
