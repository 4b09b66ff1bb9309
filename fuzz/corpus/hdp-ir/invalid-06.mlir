func.func private @f() attributes {hdp.cfg = #hdp.config<rho = -1.01>}
