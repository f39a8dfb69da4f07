Core subshells:
  1s
Peel subshells:
  2s   2p-  2p   3s   3p-  3p   3d-  3d
CSF(s):
 *
  2s ( 2)  2p ( 2)
                 0
                  0+
  2s ( 2)  2p-( 2)

                  0+
  2s ( 2)  2p ( 1)  3p ( 1)
               3/2      3/2
                           0+
  2s ( 2)  2p-( 1)  3p-( 1)
               1/2      1/2
                           0+
