package dev.lattice.crdt.codec;

import dev.lattice.crdt.type.Document;
import dev.lattice.crdt.type.Flag;
import dev.lattice.crdt.type.GCounter;
import dev.lattice.crdt.type.LwwRegister;
import dev.lattice.crdt.type.MvRegister;
import dev.lattice.crdt.type.OrMap;
import dev.lattice.crdt.type.OrSet;
import dev.lattice.crdt.type.PnCounter;

/**
 * The first byte of every blob. The seven field kinds reuse their {@code FieldKind} tags so a field
 * blob and a field inside a map name the kind with one number. Stable: a tag is never reused.
 */
enum BlobType {
  LWW(0x01, LwwRegister.class, true),
  MVREG(0x02, MvRegister.class, false),
  GCOUNTER(0x03, GCounter.class, false),
  COUNTER(0x04, PnCounter.class, false),
  SET(0x05, OrSet.class, false),
  MAP(0x06, OrMap.class, true),
  FLAG(0x07, Flag.class, false),
  DOCUMENT(0x08, Document.class, true),
  VECTOR(0x10, null, false),
  VALUE(0x11, null, false);

  final int tag;
  /** The CRDT class this tag decodes to, or null for the two non-CRDT blobs. */
  final Class<?> type;
  /** True if the blob may hold LWW stamps and so carries an HLC base. */
  final boolean stamped;

  BlobType(int tag, Class<?> type, boolean stamped) {
    this.tag = tag;
    this.type = type;
    this.stamped = stamped;
  }

  static BlobType ofTag(int tag) {
    for (BlobType t : values()) {
      if (t.tag == tag) {
        return t;
      }
    }
    return null;
  }

  /** The blob type for a CRDT class, or null if the codec does not know it. */
  static BlobType ofClass(Class<?> type) {
    for (BlobType t : values()) {
      if (t.type != null && t.type == type) {
        return t;
      }
    }
    return null;
  }
}
