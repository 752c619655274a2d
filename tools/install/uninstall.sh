# shellcheck shell=bash
# --uninstall: the unit file and its enable symlink go; .env, Deno, the caches and the checkout stay.

# Removes $1 (or says it would, under --dry-run).
remove_file() {
  if ((DRY_RUN)); then info "[dry-run] would remove $1"; else rm -f -- "$1" && info "removed $1"; fi
  return 0 # a file rm cannot remove is left, as before: the summary still counts it
}

uninstall() {
  say "Uninstalling $UNIT_NAME ($MODE unit${ROOT:+ under $ROOT})"
  local removed=0 d
  if ((SYSTEMD_LIVE)) && [[ -e $UNIT_FILE || -L $WANTS_LINK ]]; then
    run "${SYSTEMCTL[@]}" disable --now "$UNIT_NAME" || warn "systemctl disable --now failed; removing the files anyway"
  elif ((!SYSTEMD_LIVE)); then
    info "$SYSTEMD_WHY"
  fi
  if [[ -L $WANTS_LINK || -e $WANTS_LINK ]]; then
    remove_file "$WANTS_LINK"
    removed=$((removed + 1))
  fi
  if [[ -e $UNIT_FILE ]]; then
    remove_file "$UNIT_FILE"
    removed=$((removed + 1))
  fi
  # A --root/DESTDIR tree is a staging area: drop the directories that are now empty.
  if [[ -n $ROOT ]] && ((!DRY_RUN)); then
    for d in "$UNIT_DIR/$WANTED_BY.wants" "$UNIT_DIR"; do
      while [[ $d == "$ROOT"/* && -d $d ]] && rmdir -- "$d" 2>/dev/null; do d=$(dirname -- "$d"); done
    done
  fi
  if ((removed)) && ((SYSTEMD_LIVE)); then run "${SYSTEMCTL[@]}" daemon-reload; fi
  if ((removed == 0)); then
    say "Nothing to uninstall: $UNIT_FILE is not installed (no changes made)."
  elif ((DRY_RUN)); then
    say "Dry run finished: $removed file(s) would be removed; nothing was changed."
  else
    say "Uninstalled. Kept: $REPO_DIR/.env, Deno, the Deno cache and this checkout."
  fi
}
