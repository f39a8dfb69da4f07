/* One function per subcommand; each parses its own arguments (argv[0] is
 * the subcommand's name) and returns the process exit status. */
#ifndef CSFS_COMMANDS_H
#define CSFS_COMMANDS_H

int cmd_convert(int argc, char **argv);
int cmd_descriptors(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_interact(int argc, char **argv);
int cmd_mix(int argc, char **argv);
int cmd_peel(int argc, char **argv);
int cmd_rows(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_select(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_zerofirst(int argc, char **argv);

#endif
