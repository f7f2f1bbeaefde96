package dev.lattice.replica;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The change listeners of one namespace, and their coalescing. Each registration gathers changed
 * ids while a call is pending or running and delivers them in one call when its turn comes, on a
 * shared notifier thread; a registration is never called twice at once.
 */
final class Listeners {
  private static final Logger LOG = Logger.getLogger(Listeners.class.getName());

  private final String namespace;
  private final Executor notifier;
  private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();

  Listeners(String namespace, Executor notifier) {
    this.namespace = namespace;
    this.notifier = notifier;
  }

  /** {@code documentId} null listens to the whole collection. */
  Subscription add(String collection, String documentId, ChangeListener listener) {
    Registration r = new Registration(collection, documentId, listener);
    registrations.add(r);
    return () -> registrations.remove(r);
  }

  /** Records that these documents of {@code collection} changed. */
  void changed(String collection, Set<String> ids, boolean remote) {
    for (Registration r : registrations) {
      if (r.collection.equals(collection)) {
        r.offer(ids, remote);
      }
    }
  }

  private final class Registration {
    final String collection;
    final String documentId;
    final ChangeListener listener;
    private Set<String> pending = new HashSet<>();
    private boolean local;
    private boolean remote;
    private boolean scheduled;

    Registration(String collection, String documentId, ChangeListener listener) {
      this.collection = collection;
      this.documentId = documentId;
      this.listener = listener;
    }

    void offer(Set<String> ids, boolean fromRemote) {
      synchronized (this) {
        boolean any = false;
        for (String id : ids) {
          if (documentId == null || documentId.equals(id)) {
            pending.add(id);
            any = true;
          }
        }
        if (!any) {
          return;
        }
        remote |= fromRemote;
        local |= !fromRemote;
        if (scheduled) {
          return;
        }
        scheduled = true;
      }
      notifier.execute(this::deliver);
    }

    private void deliver() {
      ChangeBatch batch;
      synchronized (this) {
        batch = new ChangeBatch(namespace, collection, pending, local, remote);
        pending = new HashSet<>();
        local = false;
        remote = false;
      }
      try {
        if (registrations.contains(this)) {
          listener.onChange(batch);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "change listener on " + namespace + "/" + collection + " threw", e);
      }
      synchronized (this) {
        if (pending.isEmpty()) {
          scheduled = false;
          return;
        }
      }
      notifier.execute(this::deliver);
    }
  }
}
