/*
** hostile_api.h -- every public function of rcgc.h and rcgc_leak.h (the
** inline ones included; the out-of-line helpers rcgc_incref_slow_, rcgc_decref_slow_ and
** rcgc_suspect_ are reached through rcgc_incref, rcgc_decref and rcgc_set).
** The hostile suites check that their tables have a row for each.
** test_hostile_calls' the_table_covers_the_header also checks this list
** against include/rcgc.h and include/rcgc_leak.h themselves.
*/
#ifndef HOSTILE_API_H
#define HOSTILE_API_H

static const char *const hostile_api[] = {
    "rcgc_version", "rcgc_strerror", "rcgc_err_name", "rcgc_config_init", "rcgc_heap_new",
    "rcgc_heap_destroy", "rcgc_heap_object_count", "rcgc_heap_bytes", "rcgc_new",
    "rcgc_new_sized", "rcgc_incref", "rcgc_decref", "rcgc_set", "rcgc_refcount", "rcgc_typeof",
    "rcgc_serial", "rcgc_repr", "rcgc_set_policy", "rcgc_get_policy", "rcgc_enable",
    "rcgc_disable", "rcgc_isenabled", "rcgc_collect", "rcgc_get_count", "rcgc_set_threshold",
    "rcgc_get_threshold", "rcgc_set_debug", "rcgc_get_debug", "rcgc_callback_add",
    "rcgc_callback_remove", "rcgc_get_stats", "rcgc_set_pause_budget", "rcgc_get_pause_budget",
    "rcgc_collect_step", "rcgc_get_incremental_stats", "rcgc_list_decref_and_free", "rcgc_get_objects",
    "rcgc_get_referrers", "rcgc_get_referents", "rcgc_is_tracked", "rcgc_track",
    "rcgc_untrack", "rcgc_is_finalized", "rcgc_freeze", "rcgc_unfreeze",
    "rcgc_get_freeze_count", "rcgc_visit_objects", "rcgc_weakref_new", "rcgc_weakref_get",
    "rcgc_weakref_alive", "rcgc_weakref_count", "rcgc_garbage_count", "rcgc_garbage_get",
    "rcgc_garbage_clear", "rcgc_garbage_remove", "rcgc_garbage_release", "rcgc_leak_free",
    "rcgc_leak_roots", "rcgc_leak_print_roots", "rcgc_leak_why", "rcgc_leak_print_why",
    "rcgc_leak_cycles", "rcgc_leak_print_cycles", "rcgc_leak_explain_collect",
    "rcgc_leak_histogram", "rcgc_leak_print_histogram", "rcgc_leak_mark_new",
    "rcgc_leak_growth_since", "rcgc_leak_print_growth",
    "rcgc_leak_since_mark", "rcgc_leak_print_since_mark", "rcgc_leak_dominators",
    "rcgc_leak_top_retainers", "rcgc_leak_print_top_retainers", "rcgc_expect_freed",
    "rcgc_expect_freed_cancel", "rcgc_expect_freed_check", "rcgc_leak_dot",
    "rcgc_leak_snapshot", "rcgc_leak_snapshot_file", "rcgc_check_heap", "rcgc_misuse_count",
    "rcgc_printf", "rcgc_write_file"};
#define HOSTILE_NAPI (sizeof hostile_api / sizeof hostile_api[0])

#endif
