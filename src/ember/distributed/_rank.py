"""One rank started by ``ember.distributed.run``: torchrun's environment from the MPI rank,
then the script with ``torch`` served by ember."""
import os
import sys


def set_rank_environment(env=os.environ) -> None:
    """Fill RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE from Open MPI's variables."""
    for ours, mpi in (("RANK", "OMPI_COMM_WORLD_RANK"), ("WORLD_SIZE", "OMPI_COMM_WORLD_SIZE"),
                      ("LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK"),
                      ("LOCAL_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_SIZE")):
        env[ours] = env.get(mpi, "0" if "RANK" in ours else "1")
    env.setdefault("GROUP_RANK", "0")


if __name__ == "__main__":
    set_rank_environment()
    from ember.run import main
    main(sys.argv[1:])
