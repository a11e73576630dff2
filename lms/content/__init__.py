"""Course packages: checking, rendering and loading them. Plain functions, no request needed."""
