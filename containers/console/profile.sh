# Sickbay console shell setup (sourced by login shells from /etc/profile).
# The root file system is read-only; $HOME and /tmp are tmpfs, so everything written here
# (history, editor state, docker CLI config) goes there.
case $- in *i*) ;; *) return 0 2>/dev/null || exit 0 ;; esac
[ -n "${BASH_VERSION:-}" ] || return 0

export HISTFILE="$HOME/.bash_history"
export HISTSIZE=5000 HISTFILESIZE=10000 HISTCONTROL=ignorespace
export HISTTIMEFORMAT='%F %T '
shopt -s histappend checkwinsize 2>/dev/null

[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion

# The name in the prompt: the console's container name when the engine sets it.
__sickbay_host="${SICKBAY_CONSOLE:-$(hostname 2>/dev/null || echo console)}"
# \[\e]697;sickbay-prompt\a\] marks "the shell is at its prompt" in the output stream: the
# server uses it to tell command lines typed at this prompt from input to running programs.
# Terminals ignore unknown OSC sequences, so it is invisible.
PS1='\[\e]697;sickbay-prompt\a\]\[\e[1;32m\]learner@'"${__sickbay_host}"'\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\] \$ '
PROMPT_COMMAND='history -a'

alias ls='ls --color=auto' ll='ls -l --color=auto' grep='grep --color=auto'

if [ -z "${SICKBAY_MOTD_SHOWN:-}" ] && [ -r /etc/sickbay/motd ]; then
  cat /etc/sickbay/motd
  export SICKBAY_MOTD_SHOWN=1
fi
