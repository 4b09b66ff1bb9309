func.func private @f() attributes {hdp.cfg = #hdp.config<block = [0, 2]>}
