package dev.lattice.presence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One room: its members and what changed since the last tick. See {@link PresenceHub} for why a
 * tick's work is proportional to the changes, not to the room.
 */
final class Room {
  final String namespace;
  final String name;
  /** By connection id, in join order (which orders snapshots deterministically). */
  final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
  /** Present members that joined or changed state since the last tick, in first-change order. */
  final LinkedHashMap<String, Member> changed = new LinkedHashMap<>();
  /** Ids of members that were present at the last tick (so every other subscriber has them) and left since. */
  final LinkedHashSet<String> departed = new LinkedHashSet<>();

  Room(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  void add(Member m) {
    members.put(m.id(), m);
    changed.put(m.id(), m);
  }

  void remove(Member m) {
    members.remove(m.id());
    changed.remove(m.id());
    if (!m.needsSnapshot) {
      departed.add(m.id());
    }
  }

  void changed(Member m) {
    changed.putIfAbsent(m.id(), m);
  }

  /**
   * Appends this tick's frames: a snapshot to each member that joined since the last tick, and to
   * each other member the shared delta minus its own entry, if that leaves anything to say.
   */
  void emit(List<Outbound> out) {
    List<PresenceFrame.Entry> delta = entries(changed.values(), changed.size());
    List<String> left;
    if (departed.isEmpty()) {
      left = List.of();
    } else {
      // An id that left and came back since the last tick is in `changed` with a higher clock: not left.
      List<String> l = new ArrayList<>(departed.size());
      for (String id : departed) {
        if (!members.containsKey(id)) {
          l.add(id);
        }
      }
      left = List.copyOf(l);
    }
    List<PresenceFrame.Entry> all = null;
    for (Member s : members.values()) {
      if (s.needsSnapshot) {
        if (all == null) {
          all = entries(members.values(), members.size());
        }
        out.add(new Outbound(s.id(), namespace, new PresenceFrame(name, without(all, s), List.of(), true)));
        s.needsSnapshot = false;
      } else {
        List<PresenceFrame.Entry> mine = changed.containsKey(s.id()) ? without(delta, s) : delta;
        if (!mine.isEmpty() || !left.isEmpty()) {
          out.add(new Outbound(s.id(), namespace, new PresenceFrame(name, mine, left, false)));
        }
      }
    }
    changed.clear();
    departed.clear();
  }

  boolean hasPendingWork() {
    if (!changed.isEmpty() || !departed.isEmpty()) {
      return true;
    }
    for (Member m : members.values()) {
      if (m.needsSnapshot) {
        return true;
      }
    }
    return false;
  }

  private static List<PresenceFrame.Entry> entries(Iterable<Member> ms, int size) {
    PresenceFrame.Entry[] a = new PresenceFrame.Entry[size];
    int i = 0;
    for (Member m : ms) {
      a[i++] = m.entry();
    }
    return List.of(a);
  }

  private static List<PresenceFrame.Entry> without(List<PresenceFrame.Entry> list, Member s) {
    PresenceFrame.Entry own = s.entry();
    int at = -1;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == own) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return list;
    }
    PresenceFrame.Entry[] a = new PresenceFrame.Entry[list.size() - 1];
    for (int i = 0, j = 0; i < list.size(); i++) {
      if (i != at) {
        a[j++] = list.get(i);
      }
    }
    return List.of(a);
  }
}
