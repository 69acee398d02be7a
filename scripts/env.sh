# Sourced by the scripts: tools on PATH (cargo's bin and the npm packages').
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
