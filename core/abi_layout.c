/*
 * abi_layout.c -- pins the plugin ABI's layout at compile time.
 *
 * Every member of the structs a plugin shares with the host has its offset
 * written down here.  Changing the layout without bumping the ABI (and
 * updating these pins deliberately) breaks the build, which is the point:
 * a silent layout change would make old plugins read garbage.
 * Offsets are for LP64 targets (x86_64, aarch64, ...); other data models
 * get their own table when someone builds there.
 */
#include "config.h"

#include <stddef.h>

#include <tlsplug/backend.h>

#if defined(__LP64__)

#define PIN(type, member, offset) \
	_Static_assert(offsetof(struct type, member) == (offset), \
	               #type "." #member " moved: bump the ABI version")

/* struct tlsplug_backend_descriptor, minor 0 */
PIN(tlsplug_backend_descriptor, abi_major, 0);
PIN(tlsplug_backend_descriptor, abi_minor, 2);
PIN(tlsplug_backend_descriptor, struct_size, 4);
PIN(tlsplug_backend_descriptor, name, 8);
PIN(tlsplug_backend_descriptor, description, 16);
PIN(tlsplug_backend_descriptor, priority, 24);
PIN(tlsplug_backend_descriptor, caps, 32);
PIN(tlsplug_backend_descriptor, ctx_priv_size, 40);
PIN(tlsplug_backend_descriptor, conn_priv_size, 48);
PIN(tlsplug_backend_descriptor, init, 56);
PIN(tlsplug_backend_descriptor, fini, 64);
PIN(tlsplug_backend_descriptor, engine_version, 72);
PIN(tlsplug_backend_descriptor, client_context, 80);
PIN(tlsplug_backend_descriptor, server_context, 88);
PIN(tlsplug_backend_descriptor, conn, 96);
PIN(tlsplug_backend_descriptor, info, 104);
_Static_assert(sizeof(struct tlsplug_backend_descriptor) == 112,
               "descriptor size changed: bump the ABI version");

/* struct tlsplug_core, minor 0 */
PIN(tlsplug_core, abi_major, 0);
PIN(tlsplug_core, abi_minor, 2);
PIN(tlsplug_core, struct_size, 4);
PIN(tlsplug_core, alloc, 8);
PIN(tlsplug_core, realloc, 16);
PIN(tlsplug_core, free, 24);
PIN(tlsplug_core, set_error, 32);
PIN(tlsplug_core, set_alert_error, 40);
PIN(tlsplug_core, pull, 48);
PIN(tlsplug_core, push, 56);
PIN(tlsplug_core, sni_select, 64);
PIN(tlsplug_core, match_hostname, 72);
_Static_assert(TLSPLUG_SIZE_THROUGH(struct tlsplug_core, match_hostname)
               == 80, "core services minor 0 size changed");
/* struct tlsplug_core, minor 1 */
PIN(tlsplug_core, check_peer, 80);
PIN(tlsplug_core, select_server, 88);
PIN(tlsplug_core, session_ready, 96);
PIN(tlsplug_core, keylog, 104);
PIN(tlsplug_core, ocsp_staple, 112);
PIN(tlsplug_core, alpn_select, 120);
_Static_assert(sizeof(struct tlsplug_core) == 128,
               "core services size changed: bump the ABI version");

/* struct tlsplug_context_ops */
PIN(tlsplug_context_ops, init, 0);
PIN(tlsplug_context_ops, fini, 8);
PIN(tlsplug_context_ops, release_slot, 16);
_Static_assert(sizeof(struct tlsplug_context_ops) == 24,
               "context ops size changed: add members behind a fence");

/* struct tlsplug_conn_ops */
PIN(tlsplug_conn_ops, init, 0);
PIN(tlsplug_conn_ops, fini, 8);
PIN(tlsplug_conn_ops, handshake, 16);
PIN(tlsplug_conn_ops, read, 24);
PIN(tlsplug_conn_ops, write, 32);
PIN(tlsplug_conn_ops, shutdown, 40);
PIN(tlsplug_conn_ops, cipher, 48);
PIN(tlsplug_conn_ops, version, 56);
PIN(tlsplug_conn_ops, alpn, 64);
PIN(tlsplug_conn_ops, peer_subject, 72);
PIN(tlsplug_conn_ops, server_name, 80);
_Static_assert(TLSPLUG_SIZE_THROUGH(struct tlsplug_conn_ops, server_name)
               == 88, "conn ops minor 0 size changed");
/* struct tlsplug_conn_ops, minor 1 */
PIN(tlsplug_conn_ops, peer_cert, 88);
PIN(tlsplug_conn_ops, set_session, 96);
PIN(tlsplug_conn_ops, resumed, 104);
PIN(tlsplug_conn_ops, verified_cert, 112);
PIN(tlsplug_conn_ops, export_keying_material, 120);
PIN(tlsplug_conn_ops, group, 128);
PIN(tlsplug_conn_ops, get_session, 136);
PIN(tlsplug_conn_ops, ocsp_status, 144);
PIN(tlsplug_conn_ops, release_buffers, 152);
_Static_assert(sizeof(struct tlsplug_conn_ops) == 160,
               "conn ops size changed: add members behind a fence");

/* struct tlsplug_info_ops */
PIN(tlsplug_info_ops, cipher_suites, 0);
PIN(tlsplug_info_ops, system_trust_source, 8);
_Static_assert(TLSPLUG_SIZE_THROUGH(struct tlsplug_info_ops,
                                   system_trust_source) == 16,
               "info ops minor 0 size changed");
/* struct tlsplug_info_ops, minor 1 */
PIN(tlsplug_info_ops, sha256, 16);
PIN(tlsplug_info_ops, groups, 24);
PIN(tlsplug_info_ops, sigalgs, 32);
_Static_assert(sizeof(struct tlsplug_info_ops) == 40,
               "info ops size changed: add members behind a fence");

/* The configuration view handed to plugins. */
PIN(tlsplug_blob, data, 0);
PIN(tlsplug_blob, len, 8);
PIN(tlsplug_blob, format, 16);
PIN(tlsplug_blob, origin, 24);
_Static_assert(sizeof(struct tlsplug_blob) == 32, "blob size");
PIN(tlsplug_bkey, blob, 0);
PIN(tlsplug_bkey, password, 32);
PIN(tlsplug_bkey, password_len, 40);
PIN(tlsplug_bkey, password_cb, 48);
PIN(tlsplug_bkey, password_user_data, 56);
PIN(tlsplug_bchain, certs, 0);
PIN(tlsplug_bchain, ncerts, 8);
PIN(tlsplug_bchain, key, 16);
PIN(tlsplug_btrust, system, 0);
PIN(tlsplug_btrust, pem, 8);
PIN(tlsplug_bconfig, validate, 0);
PIN(tlsplug_bconfig, verify_peer, 4);
PIN(tlsplug_bconfig, min_version, 8);
PIN(tlsplug_bconfig, max_version, 12);
PIN(tlsplug_bconfig, ciphers, 16);
PIN(tlsplug_bconfig, nciphers, 24);
PIN(tlsplug_bconfig, alpn, 32);
PIN(tlsplug_bconfig, nalpn, 40);
PIN(tlsplug_bconfig, alpn_wire, 48);
PIN(tlsplug_bconfig, alpn_wire_len, 56);
PIN(tlsplug_bconfig, chains, 64);
PIN(tlsplug_bconfig, nchains, 72);
PIN(tlsplug_bconfig, trust, 80);
PIN(tlsplug_bconfig, has_sni_callback, 88);
_Static_assert(TLSPLUG_SIZE_THROUGH(struct tlsplug_bconfig, has_sni_callback)
               == 92, "backend config view minor 0 size changed");
/* struct tlsplug_bconfig, core minor 1 */
PIN(tlsplug_bconfig, client_cert, 92);
PIN(tlsplug_bconfig, check_peer_always, 96);
PIN(tlsplug_bconfig, session_tickets, 100);
PIN(tlsplug_bconfig, ticket_key, 104);
PIN(tlsplug_bconfig, ticket_key_len, 112);
PIN(tlsplug_bconfig, ticket_lifetime, 120);
PIN(tlsplug_bconfig, groups, 128);
PIN(tlsplug_bconfig, ngroups, 136);
PIN(tlsplug_bconfig, sigalgs, 144);
PIN(tlsplug_bconfig, nsigalgs, 152);
PIN(tlsplug_bconfig, crls, 160);
PIN(tlsplug_bconfig, ncrls, 168);
PIN(tlsplug_bconfig, ocsp, 176);
PIN(tlsplug_bconfig, min_dh_bits, 180);
PIN(tlsplug_bconfig, ocsp_staple, 184);
PIN(tlsplug_bconfig, alpn_mismatch, 192);
PIN(tlsplug_bconfig, keylog, 196);
_Static_assert(sizeof(struct tlsplug_bconfig) == 200,
               "backend config view size changed: add members behind a "
               "fence");
PIN(tlsplug_san, type, 0);
PIN(tlsplug_san, data, 8);
PIN(tlsplug_san, len, 16);

#endif /* __LP64__ */

/* ISO C wants at least one declaration in a translation unit. */
typedef int tlsplug__abi_layout_pinned;
