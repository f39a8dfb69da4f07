Core subshells:
  1s
Peel subshells:
  2s   2p-  2p   3s   3p-  3p   3d-  3d
CSF(s):
  2s (99)  2p (-1)
      8;999    7;1/2
           12345678    1/2+
