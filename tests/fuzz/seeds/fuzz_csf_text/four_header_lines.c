Core subshells:
  1s
Peel subshells:
  2s   2p-  2p   3s   3p-  3p   3d-  3d
