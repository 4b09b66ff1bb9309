func.func private @f() attributes {hdp.cfg = #hdp.config<scale = -2.0>}
