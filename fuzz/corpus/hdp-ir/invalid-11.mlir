func.func private @f() attributes {hdp.cfg = #hdp.config<block = [2, 16385]>}
