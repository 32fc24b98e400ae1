/*
 * The syslog catalogue: every message gvpn can emit, defined exactly once.
 *
 * This file is an X-macro list and has no include guard on purpose: it is
 * expanded by catalog.h (enum of ids, one format array per message so that
 * the compiler checks every diag_log() call against its format) and by
 * catalog.c (the table with explanations, listable by a show command).
 *
 * DIAG_MSG(NAME, FACILITY, SEVERITY, FLAGS, FORMAT, EXPLANATION, ACTION)
 *   NAME       the IOS mnemonic, spelling kept (GM_REGSTER); also the id
 *              suffix DIAG_MSG_<NAME>
 *   FACILITY   GDOI, CRYPTO or IKEV2
 *   SEVERITY   0 (emergency) .. 7 (debug), syslog(3) priorities
 *   FLAGS      0 or DIAG_MF_RATELIMIT (data-plane messages: one per source
 *              and message per 60 s)
 *   FORMAT     printf format of the text; where a seed document shows the
 *              message the text is the seed's pattern
 *   EXPLANATION, ACTION  our words, shown by the catalogue listing
 *
 * Sources and tags are in docs behavior-reference §3. Mnemonics and
 * severities are an interface: never renumber or rename one.
 */

/* One field per line reads better than what the formatter makes of it. */
/* clang-format off */

/* ---- Group member (§3.1) ---- */
DIAG_MSG(GM_REGSTER, CRYPTO, 5, 0,
	 "Start registration to KS %s for group %s using address %s",
	 "The group member starts registering to a key server.",
	 "None; if GM_REGS_COMPL does not follow, check IKE with the key server.")
DIAG_MSG(GDOI_ON_OFF, CRYPTO, 6, 0,
	 "GDOI is %s",
	 "The first GDOI group became active (ON) or the last one was removed (OFF).",
	 "None.")
DIAG_MSG(GM_CM_ATTACH, GDOI, 5, 0,
	 "Crypto map %s attached for GM in group %s",
	 "A GDOI crypto map was applied, so the group member starts protecting traffic.",
	 "None.")
DIAG_MSG(GM_CM_DETACH, GDOI, 5, 0,
	 "Crypto map %s detached for GM in group %s",
	 "A GDOI crypto map was removed; traffic of the group is no longer protected here.",
	 "Make sure the removal was intended.")
DIAG_MSG(GM_REKEY_TRANS_2_UNI, GDOI, 5, 0,
	 "Group %s transitioned to Unicast Rekey.",
	 "The group member now expects rekeys sent by unicast.",
	 "None.")
DIAG_MSG(GM_REKEY_TRANS_2_MULTI, GDOI, 5, 0,
	 "Group %s transitioned to Multicast Rekey.",
	 "The group member now expects rekeys sent to a multicast address.",
	 "Make sure multicast routing delivers the rekey group address to this member.")
DIAG_MSG(SA_KEK_UPDATED, GDOI, 5, 0,
	 "SA KEK was updated (group %s, spi %s)",
	 "A new key encryption key was installed.",
	 "None.")
DIAG_MSG(SA_TEK_UPDATED, GDOI, 5, 0,
	 "SA TEK was updated (group %s, spi 0x%08" PRIX32 ")",
	 "A new traffic encryption key was installed.",
	 "None.")
DIAG_MSG(GM_REGS_COMPL, GDOI, 5, 0,
	 "Registration to KS %s complete for group %s using address %s",
	 "Registration finished and the downloaded policy is installed.",
	 "None.")
DIAG_MSG(GM_INSTALL_POLICIES_SUCCESS, GDOI, 5, 0,
	 "SUCCESS: Installation of Reg/Rekey policies from KS %s for group %s & gm identity %s",
	 "Policies received in a registration or a rekey were installed.",
	 "None.")
DIAG_MSG(GM_RECV_REKEY, GDOI, 5, 0,
	 "Received Rekey for group %s from %s to %s with seq # %" PRIu32,
	 "A valid rekey was accepted.",
	 "None.")
DIAG_MSG(GM_RECV_DELETE, GDOI, 5, 0,
	 "Rekey from KS %s for group %s deleted SAs with SPI %s",
	 "The key server removed security associations in a rekey.",
	 "None unless traffic stops; then compare the policy on the key server.")
DIAG_MSG(GM_RE_REGISTER, GDOI, 4, 0,
	 "The IPSec SA created for group %s may have expired/been cleared, or didn't go through. Re-register to KS.",
	 "The group's SAs ran out or were cleared without a rekey replacing them, so the member registers again.",
	 "Check why rekeys do not arrive: show crypto gdoi ks members on the key server, "
	 "lost packets on UDP 848, a missing RSA key (KS_NO_RSA_KEYS).")
DIAG_MSG(GM_CLEAR_REGISTER, GDOI, 5, 0,
	 "Config: GM cleared gdoi configuration for the group %s (by %s), registering again",
	 "clear crypto gdoi was run on this group member; it drops its keys and registers again.",
	 "None.")
DIAG_MSG(GM_UNREGISTER, GDOI, 5, 0,
	 "GM left group %s",
	 "The group was removed from this member's configuration.",
	 "None.")
DIAG_MSG(GM_ACL_MERGE, GDOI, 5, 0,
	 "Local deny ACL merged with the ACL downloaded for group %s",
	 "The locally configured deny entries now take precedence over the downloaded policy.",
	 "None.")
DIAG_MSG(GM_INCOMPLETE_CFG, GDOI, 3, 0,
	 "Registration cannot start for group %s: %s missing",
	 "The group is configured without an item registration needs.",
	 "Add the missing item (identity, server address or crypto map) to the configuration.")
DIAG_MSG(GM_REJECTING_SA_PAYLOAD, GDOI, 3, 0,
	 "Policy from KS %s for group %s rejected: %s",
	 "The key server sent a policy this member cannot or may not install.",
	 "Align the key server policy with what the member allows (rekey cipher, hash, transforms).")
DIAG_MSG(GM_HASH_FAIL, GDOI, 4, 0,
	 "Bad hash in %s message from KS %s for group %s",
	 "A message from the key server failed its integrity or signature check and was dropped.",
	 "Check that every key server of the group uses the same RSA key pair; "
	 "repeated failures may be an attack.")
DIAG_MSG(GDOI_REKEY_SEQ_FAILURE, GDOI, 3, 0,
	 "Failed to process rekey seq # %" PRIu32 " in seq payload for group %s, last seq # %" PRIu32,
	 "A rekey was dropped because its sequence number is not above the last accepted one.",
	 "Compare the key server's sequence number with the member's; a key server that "
	 "restarted its count needs a fix, the member registers again when its keys expire.")
DIAG_MSG(GDOI_REKEY_FAILURE, GDOI, 3, 0,
	 "Processing of REKEY payloads failed on GM %s in the group %s, with peer at %s",
	 "A rekey could not be processed; the message logged before this one names the cause.",
	 "Look at the preceding message and at debug crypto gdoi gm rekey.")
DIAG_MSG(IKMP_MODE_FAILURE, CRYPTO, 6, 0,
	 "Processing of GDOI mode failed with peer at %s",
	 "A GDOI exchange with the peer failed.",
	 "Look at the preceding GDOI messages and at debug crypto isakmp.")
DIAG_MSG(GM_RECOVERY_REGISTRATION, GDOI, 4, 0,
	 "Invalid SPI packets of group %s seen from %s; recovery registration in %" PRIu32 " sec",
	 "ESP packets with an SPI this member does not know suggest it missed a rekey.",
	 "None if the registration succeeds; otherwise check rekey delivery.")
DIAG_MSG(PSEUDO_TIME_LARGE, GDOI, 4, 0,
	 "Pseudotime from KS %s for group %s differs largely from ours: KS %.2f secs, GM %.2f secs",
	 "The pseudotime received from the key server is far from this member's own.",
	 "Check the clocks (NTP) of the key servers and members.")
DIAG_MSG(REPLAY_FAILED, GDOI, 4, DIAG_MF_RATELIMIT,
	 "An anti replay check has failed in group %s for a %s from %s: received %s, expected %s",
	 "A rekey or COOP announcement failed the control-plane anti-replay check and was dropped.",
	 "Check the clocks (NTP) and whether a key server restarted its sequence numbers; "
	 "repeated failures may be an attack.")
DIAG_MSG(TIMEBASED_REPLAY_FAILED, GDOI, 4, DIAG_MF_RATELIMIT,
	 "An anti replay check has failed in group %s: my_pseudotime = %.2f secs, "
	 "peer_pseudotime = %.2f secs, replay_window = %" PRIu32 " (sec), src_ip = %s, dst_ip = %s",
	 "An ESP packet arrived outside the time-based anti-replay window and was dropped.",
	 "Compare Replay Value of show crypto gdoi gm replay on sender and receiver at the same "
	 "time; a drifting clock on one member is the usual cause.")
DIAG_MSG(PKT_REPLAY_ERR, CRYPTO, 4, DIAG_MF_RATELIMIT,
	 "decrypt: replay check failed connection id=%" PRIu32 ", sequence number=%" PRIu32,
	 "A packet was dropped by the replay check (time or counter based).",
	 "See TIMEBASED_REPLAY_FAILED for group SAs; otherwise look for duplicated or "
	 "heavily reordered traffic.")
DIAG_MSG(RECVD_PKT_INV_SPI, CRYPTO, 4, DIAG_MF_RATELIMIT,
	 "decaps: rec'd IPSEC packet has invalid spi for destaddr=%s, prot=%u, spi=0x%" PRIX32
	 "(%" PRIu32 "), srcaddr=%s, input interface=%s",
	 "An ESP packet carries an SPI that is not in the SA database.",
	 "If this member missed a rekey it recovers by registering again; otherwise find the "
	 "sender, which uses keys of another group or stale keys.")
DIAG_MSG(RECVD_PKT_NOT_IPSEC, CRYPTO, 4, DIAG_MF_RATELIMIT,
	 "Rec'd packet not an IPSEC packet. (ip) vrf/dest_addr= %s/%s, src_addr= %s, prot= %u",
	 "A clear packet arrived that the policy says must be encrypted.",
	 "Check that the sender is a member of the group and encrypts this flow.")
DIAG_MSG(RECVD_PKT_MAC_ERR, CRYPTO, 4, DIAG_MF_RATELIMIT,
	 "decrypt: mac verification failed for connection id=%" PRIu32 ", spi=0x%08" PRIX32 ", srcaddr=%s",
	 "The integrity check of an ESP packet failed and the packet was dropped.",
	 "Look for corruption on the path; if only one sender is affected it may use stale keys.")

/* ---- Key server (§3.2) ---- */
DIAG_MSG(KS_REGS_COMPL, GDOI, 5, 0,
	 "KS completed successful registration in group %s with GM %s (version %s)",
	 "A group member finished registration with this key server.",
	 "None.")
DIAG_MSG(KS_FIRST_GM, GDOI, 5, 0,
	 "First GM %s joined group %s",
	 "The first member of the group registered.",
	 "None.")
DIAG_MSG(KS_LAST_GM, GDOI, 6, 0,
	 "Last GM %s left group %s",
	 "The last member of the group left or was removed.",
	 "None.")
DIAG_MSG(KS_SEND_UNICAST_REKEY, GDOI, 5, 0,
	 "Sending Unicast Rekey for group %s from address %s with seq # %" PRIu32,
	 "A unicast rekey round starts.",
	 "None.")
DIAG_MSG(KS_SEND_MCAST_REKEY, GDOI, 5, 0,
	 "Sending Multicast Rekey for group %s from address %s to %s with seq # %" PRIu32,
	 "A multicast rekey is sent.",
	 "None.")
DIAG_MSG(KS_REKEY_TRANS_2_UNI, GDOI, 5, 0,
	 "Group %s transitioned to Unicast Rekey.",
	 "The key server now sends the group's rekeys by unicast.",
	 "None.")
DIAG_MSG(KS_REKEY_TRANS_2_MULTI, GDOI, 5, 0,
	 "Group %s transitioned to Multicast Rekey.",
	 "The key server now sends the group's rekeys to a multicast address.",
	 "None.")
DIAG_MSG(KS_NACK_GM_EJECT, GDOI, 4, 0,
	 "GM %s in group %s did not acknowledge %" PRIu32 " consecutive rekeys and was removed",
	 "A member that misses three consecutive rekeys is removed and gets no more rekeys.",
	 "Check the path between key server and member for UDP 848 loss; the member must register again.")
DIAG_MSG(KS_UNSOL_ACK, GDOI, 5, 0,
	 "Unsolicited ACK with seq # %" PRIu32 " from GM %s in group %s",
	 "A member acknowledged a rekey that was not sent to it.",
	 "None if rare; many may mean a member with a stale registration.")
DIAG_MSG(KS_GM_REVOKED, GDOI, 5, 0,
	 "Re-key: GM %s in group %s is not authorized and was ignored",
	 "During the rekey protocol a member that is not, or no longer, authorized took part; "
	 "this may be a hostile event.",
	 "Find out why the member is still active; revoke its credentials if needed.")
DIAG_MSG(KS_CLEAR_REGISTER, GDOI, 5, 0,
	 "Config: KS cleared registrations for group %s (by %s)",
	 "Registrations were cleared by command; members must register again.",
	 "None.")
DIAG_MSG(KS_CONV_SAS_DUPLEX, GDOI, 5, 0,
	 "IPSec SAs of group %s converted to Duplex",
	 "Members now encrypt and decrypt with the group's SAs.",
	 "None.")
DIAG_MSG(KS_CONV_SAS_INGRESS, GDOI, 5, 0,
	 "IPSec SAs of group %s converted to Inbound only",
	 "Members install the group's SAs for decryption only (migration step).",
	 "None.")
DIAG_MSG(KS_NO_RSA_KEYS, GDOI, 1, 0,
	 "RSA Key - %s : Not found, Required for group %s",
	 "A member registered but the RSA key that signs rekeys is missing: the member gets keys, "
	 "no rekey can be sent.",
	 "Create or import the key pair named in rekey authentication mypubkey rsa, the same on "
	 "every key server of the group.")
DIAG_MSG(KS_HASH_FAIL, GDOI, 4, 0,
	 "Bad hash in message from GM %s for group %s",
	 "A message from a member failed its integrity check and was dropped.",
	 "Repeated failures from one member may be an attack or a member with stale keys.")
DIAG_MSG(KS_BAD_ID, GDOI, 3, 0,
	 "GM %s requested group identity %s, which is not configured",
	 "A member asked to join a group this key server does not serve.",
	 "Align identity number on the member with the key server.")
DIAG_MSG(KS_UNAUTHORIZED, GDOI, 3, 0,
	 "Unauthorized GM %s tried to register in group %s",
	 "During registration an unauthorized member tried to join; this may be a hostile event.",
	 "Check the authorization lists of the group.")
DIAG_MSG(UNAUTHORIZED_IPADDR, GDOI, 1, 0,
	 "Registration of GM %s in group %s dropped: address not authorized",
	 "The member's address is not in the group's authorization address list.",
	 "Add the member to the list if it is legitimate.")
DIAG_MSG(UNAUTHORIZED_IDENTITY, GDOI, 1, 0,
	 "Registration of peer %s in group %s dropped: identity %s not authorized",
	 "The member's identity is not in the group's authorization identity list, or could not be parsed.",
	 "Add the identity to the list if the member is legitimate.")
DIAG_MSG(REJECT_GM_VERSION_REGISTER, GDOI, 4, 0,
	 "Reject registration of GM %s(ver 0x%" PRIX32 ") in group %s as it cannot support these "
	 "GETVPN features enabled: %s",
	 "The member's version lacks a feature the group uses (for example long SA lifetimes).",
	 "Upgrade the member, or disable the feature (lifetimes of at most 86400 s).")
DIAG_MSG(KS_STATE_RESTORED, GDOI, 5, 0,
	 "Group %s: key server state restored from %s, next rekey seq # %" PRIu32,
	 "After a restart the key server reloaded keys, pseudotime and sequence numbers from disk.",
	 "None.")
DIAG_MSG(KS_STATE_CORRUPT, GDOI, 3, 0,
	 "Group %s: key server state file %s is corrupt (%s), moved to %s; starting with new keys",
	 "The saved state could not be read; the key server starts the group with new keys, so "
	 "members register again.",
	 "Keep the moved file for analysis; check the disk and who else writes the state directory.")
DIAG_MSG(KS_SID_EXHAUSTED, GDOI, 3, 0,
	 "Group %s: no sender ID left for GM %s (all %" PRIu32 " of the %u-bit space handed out); "
	 "it may only receive with the group's counter-mode SAs",
	 "Sender IDs of a counter-mode (AES-GCM) group are never handed out twice, so after "
	 "2^bits - 1 registrations none is left; members that register without one decrypt but "
	 "do not send with the group's GCM SAs.",
	 "Restart the key server without its state file (new keys; every member registers again "
	 "and numbering starts over), or use a CBC transform.")
DIAG_MSG(GM_NO_SID, GDOI, 4, 0,
	 "Group %s: no sender ID from KS %s; the group's counter-mode SAs are used for receiving only",
	 "The policy has an AES-GCM TEK but the registration brought no sender ID (not asked for, "
	 "the key server had none left, or it does not hand them out); without one the member "
	 "must not encrypt with the GCM SAs. Logged once until a registration brings one.",
	 "Check the key server's `show crypto gdoi ks identifier`; register again (clear crypto gdoi).")

/* ---- Cooperative key servers (§3.3) ---- */
DIAG_MSG(COOP_KS_ELECTION, GDOI, 5, 0,
	 "KS entering election mode in group %s (Previous Primary = %s)",
	 "The local key server has entered the election process in a group.",
	 "None.")
DIAG_MSG(COOP_KS_TRANS_TO_PRI, GDOI, 5, 0,
	 "KS %s in group %s transitioned to Primary (Previous Primary = %s)",
	 "The local key server went from secondary to primary.",
	 "If unexpected, check reachability of the previous primary.")
DIAG_MSG(COOP_KS_ADD, GDOI, 5, 0,
	 "KS %s added to the coop group in %s",
	 "A cooperative peer was added.",
	 "None.")
DIAG_MSG(COOP_KS_REMOVE, GDOI, 5, 0,
	 "KS %s removed from the coop group in %s",
	 "A cooperative peer was removed.",
	 "None.")
DIAG_MSG(COOP_KS_UNREACH, GDOI, 3, 0,
	 "Cooperative KS %s unreachable in group %s (IKE status: %s)",
	 "Reachability to a configured cooperative key server was lost; this may be a hostile event.",
	 "Check the path and IKE between the key servers; a split (two primaries) may follow.")
DIAG_MSG(COOP_KS_REACH, GDOI, 5, 0,
	 "Reachability restored with Cooperative KS %s in group %s",
	 "A configured cooperative key server is reachable again.",
	 "None.")
DIAG_MSG(COOP_CONFIG_MISMATCH, GDOI, 3, 0,
	 "WARNNING: %s configuration between Primary KS and Secondary KS are mismatched",
	 "The secondary's configuration of the group differs from the policy the primary sends.",
	 "Configurations are not synchronised: make the named item identical on every key server.")
DIAG_MSG(COOP_KS_UNAUTH, GDOI, 3, 0,
	 "Contact from unauthorized KS %s in group %s at local address %s",
	 "A key server not configured as a peer tried to contact this one; this may be a hostile event.",
	 "Add the server as a peer if it is legitimate.")
DIAG_MSG(COOP_KS_VER_MISMATCH, GDOI, 3, 0,
	 "Coop KS %s in group %s runs version %s, incompatible with local version %s",
	 "The cooperative peers cannot work together because their COOP versions differ.",
	 "Upgrade the key servers (secondaries first, then the primary).")
DIAG_MSG(COOP_SPLIT_DETECTED, GDOI, 4, 0,
	 "More than one primary KS in group %s: %s",
	 "Several key servers act as primary (COOP split); members may hold different keys.",
	 "Restore reachability between the key servers; the better one stays primary and rekeys.")
DIAG_MSG(COOP_PACKET_DROPPED, GDOI, 4, 0,
	 "Announcement for group %s to KS %s (%zu bytes) could not be sent: %s",
	 "A COOP announcement could not be sent.",
	 "Check the reason given; the peer resynchronises with the next announcement.")

/* ---- IKE phase 1 (§3.4) ---- */
DIAG_MSG(IKMP_AUTH_FAIL, CRYPTO, 4, 0,
	 "IKE phase 1 with %s failed: authentication failed (%s)",
	 "The peer could not be authenticated (wrong pre-shared key, bad signature or certificate).",
	 "Compare the authentication configuration on both sides.")
DIAG_MSG(IKMP_NO_PROPOSAL, CRYPTO, 4, 0,
	 "IKE phase 1 with %s failed: no proposal chosen (received: %s)",
	 "No IKE policy offered by the peer matches a local one.",
	 "Align encryption, hash, DH group and authentication of the IKE policies.")
DIAG_MSG(IKMP_RETRANS_EXHAUSTED, CRYPTO, 4, 0,
	 "IKE phase 1 with %s failed: no answer after %" PRIu32 " retransmissions in state %s",
	 "The peer did not answer; the exchange was abandoned.",
	 "Check reachability of the peer on UDP 848 (GDOI) or 500.")
DIAG_MSG(IKMP_BAD_MESSAGE, CRYPTO, 4, DIAG_MF_RATELIMIT,
	 "IKE message from %s failed its sanity check or is malformed: %s",
	 "An IKE message with an invalid payload was received and dropped.",
	 "Repeated messages from one peer may be an interoperability problem or an attack.")

/* ---- IKEv2 tunnels (§3.4) ---- */
DIAG_MSG(SA_UP, IKEV2, 5, 0,
	 "Tunnel %s: IKE SA with %s established",
	 "An IKEv2 tunnel came up.",
	 "None.")
DIAG_MSG(SA_DOWN, IKEV2, 5, 0,
	 "Tunnel %s: IKE SA with %s down, reason: %s",
	 "An IKEv2 tunnel went down; the reason is DPD, a DELETE from the peer or a rekey failure.",
	 "For DPD check the path to the peer; for a DELETE look at the peer's log.")
DIAG_MSG(NO_PROPOSAL_CHOSEN, IKEV2, 4, 0,
	 "Tunnel %s: no proposal chosen with %s; received: %s; configured: %s",
	 "The peer's proposals match none of ours (often a PFS group mismatch at CHILD SA rekey).",
	 "Align the proposals, including the DH group used for PFS.")
/* clang-format on */
